package dev.verity.node.openai;

import dev.verity.engine.InferenceException;
import dev.verity.llm.FinishReason;
import dev.verity.llm.Generation;
import dev.verity.llm.GenerationRequest;
import dev.verity.llm.LlamaModel;
import dev.verity.llm.TokenListener;
import java.util.List;
import java.util.function.Consumer;

/**
 * Runs one generation, streaming its text and honouring stop sequences. When a stop sequence
 * appears after generated token k, generation is cut there and re-run with {@code max_tokens = k +
 * 1}: generation is deterministic, so the re-run yields exactly tokens 0..k and a trace commitment
 * (and receipt) covering exactly the tokens the answer was made from.
 */
final class GenerationRunner {
  private GenerationRunner() {}

  /** The generation behind an answer, the answer's text and its OpenAI finish reason. */
  record Outcome(Generation generation, String text, String finishReason) {}

  private static final class StopReached extends RuntimeException {
    final int index;

    StopReached(int index) {
      super(null, null, false, false);
      this.index = index;
    }
  }

  static Outcome run(
      LlamaModel model, GenerationRequest request, List<String> stops, Consumer<String> emit)
      throws InferenceException {
    if (stops.isEmpty()) {
      Generation g =
          model.generate(
              request,
              (i, t, text) -> {
                if (!text.isEmpty()) {
                  emit.accept(text);
                }
              });
      return new Outcome(g, g.text(), finish(g.finishReason()));
    }
    StopScanner scanner = new StopScanner(stops);
    try {
      Generation g =
          model.generate(
              request,
              (i, t, text) -> {
                String out = scanner.push(text);
                if (!out.isEmpty()) {
                  emit.accept(out);
                }
                if (scanner.stopped()) {
                  throw new StopReached(i);
                }
              });
      String tail = scanner.flush();
      if (!tail.isEmpty()) {
        emit.accept(tail);
      }
      return new Outcome(g, g.text(), finish(g.finishReason()));
    } catch (StopReached s) {
      GenerationRequest cut =
          new GenerationRequest(
              request.prompt(),
              s.index + 1,
              request.temperature(),
              request.topP(),
              request.seed(),
              request.trace());
      Generation g = model.generate(cut, TokenListener.NONE);
      return new Outcome(g, scanner.text(), "stop");
    }
  }

  static String finish(FinishReason r) {
    return switch (r) {
      case STOP -> "stop";
      case LENGTH -> "length";
    };
  }
}
