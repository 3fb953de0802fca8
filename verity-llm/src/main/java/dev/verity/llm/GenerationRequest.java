package dev.verity.llm;

import java.util.Objects;

/**
 * One generation request. With the same model, the same request gives the same tokens and trace
 * root on every machine.
 *
 * @param prompt text or tokens to start from
 * @param maxTokens most tokens to generate (at least 1)
 * @param temperature 0 for greedy decoding, otherwise the softmax temperature
 * @param topP nucleus mass in (0, 1); 0 or 1 disables the nucleus cut
 * @param seed seeds the SplitMix64 coins of the sampler (recorded in receipts)
 * @param trace how much of the trace to keep
 */
public record GenerationRequest(
    Prompt prompt, int maxTokens, float temperature, float topP, long seed, TraceMode trace) {
  public GenerationRequest {
    Objects.requireNonNull(prompt, "prompt");
    Objects.requireNonNull(trace, "trace");
    if (maxTokens < 1) {
      throw new IllegalArgumentException("max_tokens must be at least 1, got " + maxTokens);
    }
    if (!(temperature >= 0f) || Float.isInfinite(temperature)) {
      throw new IllegalArgumentException(
          "temperature must be a finite number >= 0, got " + temperature);
    }
    if (!(topP >= 0f && topP <= 1f)) {
      throw new IllegalArgumentException("top_p must be in [0, 1], got " + topP);
    }
  }

  /** Greedy decoding of {@code text}. */
  public static GenerationRequest greedy(String text, int maxTokens) {
    return new GenerationRequest(Prompt.text(text), maxTokens, 0f, 1f, 0L, TraceMode.HASHES);
  }

  public GenerationRequest withTrace(TraceMode mode) {
    return new GenerationRequest(prompt, maxTokens, temperature, topP, seed, mode);
  }
}
