package dev.verity.llm.transformer;

/**
 * Per-request scratch buffers and key/value cache, allocated once so the token loop allocates
 * nothing. Not thread-safe: one per generation.
 */
public final class RunState {
  final float[] x;
  final float[] xb;
  final float[] xb2;
  final float[] hb;
  final float[] hb2;
  final float[] q;
  final float[] att;
  final float[] logits;
  final float[] hbNeg;
  final float[] k;

  /** Keys transposed per layer and key/value head: [layer][kvHead][i][t], t fastest. */
  final float[] keyCache;

  /** Values per layer and position: [layer][t][kvDim]. */
  final float[] valueCache;

  final float[] ropeCos;
  final float[] ropeSin;
  final int positions;

  /** Buffers for positions {@code 0..positions-1}. */
  public RunState(LlamaConfig c, int positions) {
    if (positions < 1 || positions > c.seqLen()) {
      throw new IllegalArgumentException(
          "positions must be in 1.." + c.seqLen() + ", got " + positions);
    }
    long cache = (long) c.nLayers() * positions * c.kvDim();
    if (cache > Integer.MAX_VALUE - 64) {
      throw new IllegalArgumentException("key/value cache of " + cache + " floats is too large");
    }
    this.positions = positions;
    x = new float[c.dim()];
    xb = new float[c.dim()];
    xb2 = new float[c.dim()];
    hb = new float[c.hiddenDim()];
    hb2 = new float[c.hiddenDim()];
    hbNeg = new float[c.hiddenDim()];
    k = new float[c.kvDim()];
    q = new float[c.dim()];
    att = new float[positions];
    logits = new float[c.vocabSize()];
    keyCache = new float[(int) cache];
    valueCache = new float[(int) cache];
    ropeCos = new float[c.headSize() / 2];
    ropeSin = new float[c.headSize() / 2];
  }

  public int positions() {
    return positions;
  }

  /** The residual stream after the last forward call (length dim); do not modify. */
  public float[] activation() {
    return x;
  }

  /** Logits of the last forward call that computed them (length vocab); do not modify. */
  public float[] logits() {
    return logits;
  }
}
