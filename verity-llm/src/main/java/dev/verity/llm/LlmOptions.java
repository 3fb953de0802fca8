package dev.verity.llm;

import dev.verity.llm.transformer.Kernels;
import java.util.Objects;

/**
 * How a model runs: threads for matrix products (results are identical for any count), the kernel
 * implementation (VECTOR, or the SCALAR reference), request limits, and the most parameter bytes a
 * file may bring.
 */
public record LlmOptions(int threads, Kernels kernels, LlmLimits limits, long maxParameterBytes) {
  public static final LlmOptions DEFAULT =
      new LlmOptions(1, Kernels.VECTOR, LlmLimits.DEFAULT, 8L << 30);

  public LlmOptions {
    if (threads < 1 || threads > 1024) {
      throw new IllegalArgumentException("threads must be in 1..1024, got " + threads);
    }
    Objects.requireNonNull(kernels, "kernels");
    Objects.requireNonNull(limits, "limits");
    if (maxParameterBytes <= 0) {
      throw new IllegalArgumentException("maxParameterBytes must be positive");
    }
  }

  public LlmOptions withThreads(int n) {
    return new LlmOptions(n, kernels, limits, maxParameterBytes);
  }

  public LlmOptions withKernels(Kernels k) {
    return new LlmOptions(threads, k, limits, maxParameterBytes);
  }

  public LlmOptions withLimits(LlmLimits l) {
    return new LlmOptions(threads, kernels, l, maxParameterBytes);
  }
}
