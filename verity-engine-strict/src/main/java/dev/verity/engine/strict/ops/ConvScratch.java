package dev.verity.engine.strict.ops;

/**
 * Per-thread work arrays of the vector convolution path, kept between calls so a run does not
 * allocate a fresh im2col panel for every convolution. Callers overwrite every element they read,
 * so stale contents never reach an output; the bytes are still reserved against the run's budget by
 * the caller before use.
 */
final class ConvScratch {
  private static final ThreadLocal<ConvScratch> LOCAL = ThreadLocal.withInitial(ConvScratch::new);

  private float[] panel = new float[0];
  private float[] tmp = new float[0];
  private float[] wide = new float[0];
  private float[] packed = new float[0];
  private int[] runs = new int[0];

  static ConvScratch get() {
    return LOCAL.get();
  }

  float[] panel(int n) {
    if (panel.length < n) {
      panel = new float[n];
    }
    return panel;
  }

  float[] tmp(int n) {
    if (tmp.length < n) {
      tmp = new float[n];
    }
    return tmp;
  }

  /** A second large buffer (e.g. a whole im2col matrix), independent of {@link #panel}. */
  float[] wide(int n) {
    if (wide.length < n) {
      wide = new float[n];
    }
    return wide;
  }

  /** A third large buffer (e.g. repacked weights), independent of the others. */
  float[] packed(int n) {
    if (packed.length < n) {
      packed = new float[n];
    }
    return packed;
  }

  int[] runs(int n) {
    if (runs.length < n) {
      runs = new int[n];
    }
    return runs;
  }
}
