package dev.verity.cli.chat;

import dev.verity.cli.NodeOption;
import dev.verity.client.ChatCompletion;
import dev.verity.client.ChatRequest;
import dev.verity.client.VerityClient;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code verity chat}: stream a chat completion and show its receipt. */
@Command(
    name = "chat",
    mixinStandardHelpOptions = true,
    description = {
      "Send one user message to a language model on a node (its OpenAI-compatible API) and print"
          + " the reply to stdout as it is generated.",
      "At the end, stderr shows the receipt: its digest, the node's log index, the seed and the"
          + " token counts. The receipt's signature and output digest are checked first."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  verity chat --model tinystories-260k \"Once upon a time\" --temperature 0",
      "  verity chat --model tinystories-260k@1 \"The cat\" --max-tokens 50 --seed 7"
    })
public final class ChatCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"--model", "-m"},
      required = true,
      paramLabel = "MODEL",
      description = "Model: name (newest version), name@version or manifest digest.")
  String model;

  @Parameters(index = "0", paramLabel = "PROMPT", description = "The user message.")
  String prompt;

  @Option(
      names = "--max-tokens",
      paramLabel = "N",
      description = "Most tokens to generate (default: up to the context length).")
  Integer maxTokens;

  @Option(
      names = "--temperature",
      paramLabel = "T",
      defaultValue = "1",
      description = "Sampling temperature in [0, 2]; 0 is greedy (default: ${DEFAULT-VALUE}).")
  float temperature;

  @Option(
      names = "--top-p",
      paramLabel = "P",
      defaultValue = "1",
      description = "Nucleus sampling mass in (0, 1] (default: ${DEFAULT-VALUE}).")
  float topP;

  @Option(
      names = "--seed",
      paramLabel = "S",
      description = "Sampling seed (default: chosen by the node; shown in the receipt).")
  Long seed;

  @CommandLine.Mixin NodeOption node;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ChatRequest request;
    try {
      request = ChatRequest.of(model, prompt).withTemperature(temperature).withTopP(topP);
      if (maxTokens != null) {
        request = request.withMaxTokens(maxTokens);
      }
      if (seed != null) {
        request = request.withSeed(seed);
      }
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    ChatCompletion c;
    try (VerityClient client = node.connect()) {
      c =
          client.chat(
              request,
              text -> {
                out.print(text);
                out.flush();
              });
    }
    out.println();
    out.flush();
    var receipt = c.receipt().receipt().receipt();
    err.printf(
        "receipt %s  log index %d  (%s, %d prompt + %d generated tokens, seed %d, finish %s)%n",
        c.receiptId(),
        c.logIndex(),
        c.model(),
        c.promptTokens().size(),
        c.completionTokens().size(),
        // As the API's "seed" (signed 64-bit): pass it to --seed to reproduce the answer.
        receipt.seed(),
        c.finishReason());
    err.printf(
        "  node %s  trace root %s  request %s%n", receipt.node(), receipt.traceRoot(), c.id());
    err.flush();
    return 0;
  }
}
