package dev.verity.llm;

import dev.verity.core.Digest;
import dev.verity.llm.trace.GenerationTrace;
import java.util.List;
import java.util.Objects;

/**
 * The result of one generation: prompt and generated token ids, the generated text, why it stopped,
 * token counts, the seed used, and the trace commitment.
 */
public record Generation(
    List<Integer> promptTokens,
    List<Integer> completionTokens,
    String text,
    FinishReason finishReason,
    Usage usage,
    long seed,
    GenerationTrace trace) {
  public Generation {
    promptTokens = List.copyOf(promptTokens);
    completionTokens = List.copyOf(completionTokens);
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(finishReason, "finishReason");
    Objects.requireNonNull(usage, "usage");
    Objects.requireNonNull(trace, "trace");
  }

  public Digest traceRoot() {
    return trace.root();
  }
}
