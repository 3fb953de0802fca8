package dev.verity.engine.ort;

import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import java.util.Objects;

/**
 * The ONNX Runtime settings that change output bits or scheduling. Every field is recorded in
 * {@link OrtEngine#info()} and therefore in every receipt, so an auditor can reproduce the run with
 * the same settings.
 *
 * @param optimizationLevel graph optimisation level; {@link OptLevel#ALL_OPT} fuses Conv+Add+Relu
 *     and uses the blocked NCHWc layout on x86, which changes summation order and hence bits
 * @param intraOpThreads threads inside one operator; ORT splits GEMM/Conv reductions across them,
 *     so bits may change with this value
 * @param interOpThreads threads across independent operators (only used in parallel mode; we run
 *     sequentially, so this is recorded but has no effect beyond 1)
 * @param cpuArena whether the CPU EP uses its memory arena (speed only, no effect on bits)
 * @param memoryPattern whether ORT pre-plans buffers for repeated shapes (speed only)
 * @param allowSpinning whether idle intra-op worker threads spin; faster with dedicated cores,
 *     wasteful when several sessions share cores
 */
public record OrtConfig(
    OptLevel optimizationLevel,
    int intraOpThreads,
    int interOpThreads,
    boolean cpuArena,
    boolean memoryPattern,
    boolean allowSpinning) {

  /** The ONNX Runtime version this engine is pinned to; a different runtime refuses to start. */
  public static final String PINNED_ORT_VERSION = "1.29.0";

  private static final int MAX_THREADS = 1024;

  /**
   * The pinned default: all graph optimisations (see README for the measurements behind this) and
   * one intra-op thread, so bits do not depend on the host's core count.
   */
  public static final OrtConfig DEFAULT = new OrtConfig(OptLevel.ALL_OPT, 1, 1, true, true, false);

  public OrtConfig {
    Objects.requireNonNull(optimizationLevel, "optimizationLevel");
    if (intraOpThreads < 1 || intraOpThreads > MAX_THREADS) {
      throw new IllegalArgumentException(
          "intraOpThreads must be in 1.." + MAX_THREADS + ", got " + intraOpThreads);
    }
    if (interOpThreads < 1 || interOpThreads > MAX_THREADS) {
      throw new IllegalArgumentException(
          "interOpThreads must be in 1.." + MAX_THREADS + ", got " + interOpThreads);
    }
  }

  public OrtConfig withIntraOpThreads(int threads) {
    return new OrtConfig(
        optimizationLevel, threads, interOpThreads, cpuArena, memoryPattern, allowSpinning);
  }

  public OrtConfig withOptimizationLevel(OptLevel level) {
    return new OrtConfig(
        level, intraOpThreads, interOpThreads, cpuArena, memoryPattern, allowSpinning);
  }

  public OrtConfig withAllowSpinning(boolean spinning) {
    return new OrtConfig(
        optimizationLevel, intraOpThreads, interOpThreads, cpuArena, memoryPattern, spinning);
  }

  /** ORT's own name for the level, as written in receipts: {@code ORT_ENABLE_ALL} etc. */
  public String optimizationLevelName() {
    return switch (optimizationLevel) {
      case NO_OPT -> "ORT_DISABLE_ALL";
      case BASIC_OPT -> "ORT_ENABLE_BASIC";
      case EXTENDED_OPT -> "ORT_ENABLE_EXTENDED";
      case ALL_OPT -> "ORT_ENABLE_ALL";
      default -> optimizationLevel.name();
    };
  }
}
