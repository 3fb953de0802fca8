package dev.verity.engine.strict;

/**
 * Strict engine settings. {@code threads} and {@code vectorized} change speed only, never bits;
 * {@code arithmeticRules} names the version of docs/ARITHMETIC.md the engine implements and is
 * recorded in every result.
 *
 * @param threads worker threads (at least 1)
 * @param vectorized use the Vector API fast path (identical bits to the scalar reference)
 */
public record StrictConfig(int threads, boolean vectorized) {
  public static final String ARITHMETIC_RULES = "verity-strict-arith-1";

  public StrictConfig {
    if (threads < 1 || threads > 1024) {
      throw new IllegalArgumentException("threads must be in [1, 1024], got " + threads);
    }
  }

  public static StrictConfig defaults() {
    return new StrictConfig(Runtime.getRuntime().availableProcessors(), true);
  }
}
