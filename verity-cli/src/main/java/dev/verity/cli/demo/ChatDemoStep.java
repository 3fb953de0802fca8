package dev.verity.cli.demo;

import dev.verity.client.ChatCompletion;
import dev.verity.client.ChatRequest;
import dev.verity.log.verify.BundleVerifier;
import dev.verity.log.verify.VerifyOptions;
import dev.verity.receipt.Receipt;

/** The demo's LLM step: TinyStories through the node's OpenAI-compatible chat API. */
final class ChatDemoStep {
  static final String PROMPT = "Once upon a time";

  private ChatDemoStep() {}

  static DemoStep step() {
    return new DemoStep(
        "Chat with tinystories-260k@1 (OpenAI-compatible API, greedy, with receipt)",
        ChatDemoStep::run);
  }

  static void run(DemoContext ctx) throws Exception {
    ctx.out.println("  POST /v1/chat/completions  user: \"" + PROMPT + "\"  temperature 0");
    ctx.out.print("  " + PROMPT);
    ctx.out.flush();
    ChatCompletion c =
        ctx.client.chat(
            ChatRequest.of("tinystories-260k@1", PROMPT).withTemperature(0f).withMaxTokens(124),
            text -> {
              ctx.out.print(text.replace("\n", "\n  "));
              ctx.out.flush();
            });
    ctx.out.println();
    // The client checked signature and output digest; here also the log inclusion and checkpoint
    // against the log key the node published, as an auditor would.
    BundleVerifier.verify(
        c.receipt(), VerifyOptions.trusting(ctx.node.services().receipts().logKey()));
    Receipt r = c.receipt().receipt().receipt();
    ctx.out.printf(
        "  %d prompt + %d generated tokens, finish %s%n",
        c.promptTokens().size(), c.completionTokens().size(), c.finishReason());
    ctx.out.println("  receipt " + c.receiptId() + " at log index " + c.logIndex());
    ctx.out.println("    signed by node " + r.node() + ", engine " + r.engineId());
    ctx.out.println("    input " + r.inputDigest() + "  output " + r.outputDigest());
    ctx.out.println("    trace root " + r.traceRoot() + " over " + r.traceLeaves() + " leaves");
    ctx.out.println("  receipt verified: signature, inclusion proof, signed checkpoint");
  }
}
