package dev.verity.engine.strict.ops;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Convolution with vector lanes across output channels instead of output positions, for layers
 * whose spatial maps are small (7×7, 14×14): there, panels of output positions waste much of their
 * width (49 positions fill two 32-wide panels), while output channels come in multiples of the
 * panel width.
 *
 * <p>Every output (m, p) is still {@code acc = +0.0f; for k = 0..K-1: acc = acc + W[m][k] *
 * X[k][p]} with k = (c, kh, kw) in row-major order and a separate multiply and add, then {@code acc
 * + B[m]} and the fused epilogue; the lanes only hold different, independent outputs. Weights are
 * repacked into channel panels and the input into a whole im2col matrix (a 1×1, stride-1 conv uses
 * the input itself); both only move values.
 */
final class ChannelLanes {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  private static final int NR = 2 * L;

  private ChannelLanes() {}

  /** Whether this layout beats output-position panels: enough channels, a small output map. */
  static boolean suits(int mg, int np) {
    return mg >= NR && np <= 256;
  }

  /**
   * Packed weights kept per Conv node while its weight tensor is the same constant value on every
   * run (identity of the value), so the repacking happens once per model instead of per run.
   */
  static final class Prepared {
    private record Entry(Nd w, int group, float[] data) {}

    private final java.util.concurrent.atomic.AtomicReference<Entry> cache =
        new java.util.concurrent.atomic.AtomicReference<>();

    float[] get(Nd w, int group, ExecContext ctx) {
      Entry e = cache.get();
      if (e != null && e.w == w && e.group == group) {
        return e.data;
      }
      int mg = w.shape[0] / group;
      int kg = w.size / w.shape[0];
      float[] data = ctx.scratch(packedSize(mg, kg) * group, "packed conv weights");
      for (int gi = 0; gi < group; gi++) {
        pack(w.f, gi * mg * kg, mg, kg, data, gi * packedSize(mg, kg));
      }
      cache.set(new Entry(w, group, data));
      return data;
    }
  }

  /** Floats of one group's packed weights: whole channel panels of K rows. */
  static int packedSize(int mg, int kg) {
    return (mg + NR - 1) / NR * NR * kg;
  }

  static void conv(
      float[] x,
      float[] w,
      float[] bias,
      float[] y,
      int n,
      int c,
      int m,
      int group,
      int h,
      int wd,
      int kh,
      int kw,
      int oh,
      int ow,
      int sh,
      int sw,
      int dh,
      int dw,
      int ph,
      int pw,
      boolean direct,
      Epilogue ep,
      float[] prepacked,
      ExecContext ctx) {
    int cg = c / group;
    int mg = m / group;
    int kg = cg * kh * kw;
    int np = oh * ow;
    int mTiles = (mg + NR - 1) / NR;
    long colFloats = direct ? 0 : (long) kg * np;
    long packFloats = prepacked != null ? 0 : (long) mTiles * NR * kg;
    ctx.reserve(
        (colFloats + packFloats + mTiles * NR) * 4,
        "channel-lane conv buffers",
        new int[] {kg, np});
    ConvScratch own = ConvScratch.get();
    float[] col = direct ? null : own.wide((int) colFloats);
    float[] wp = prepacked != null ? prepacked : own.packed((int) packFloats);
    float[] bp = new float[mTiles * NR];
    for (int gi = 0; gi < group; gi++) {
      int pOff = 0;
      if (prepacked != null) {
        pOff = gi * packedSize(mg, kg);
      } else {
        pack(w, gi * mg * kg, mg, kg, wp, 0);
      }
      int wBase = pOff;
      if (bias != null) {
        System.arraycopy(bias, gi * mg, bp, 0, mg);
      }
      for (int b0 = 0; b0 < n; b0++) {
        ctx.checkDeadline();
        int xOff = (b0 * c + gi * cg) * h * wd;
        float[] bm;
        int bOff;
        if (direct) {
          bm = x;
          bOff = xOff;
        } else {
          Conv.im2col(x, xOff, cg, h, wd, kh, kw, oh, ow, sh, sw, dh, dw, ph, pw, col, ctx);
          bm = col;
          bOff = 0;
        }
        int yOff = (b0 * m + gi * mg) * np;
        int chan0 = gi * mg;
        float[] bv = bias == null ? null : bp;
        ctx.parallelFor(
            mTiles,
            1,
            (t0, t1) -> {
              float[] tmp = ConvScratch.get().tmp(4 * NR);
              for (int t = t0; t < t1; t++) {
                ctx.checkDeadline();
                tile(
                    wp,
                    wBase + t * kg * NR,
                    kg,
                    bm,
                    bOff,
                    np,
                    y,
                    yOff,
                    bv,
                    t * NR,
                    mg,
                    chan0,
                    tmp,
                    ep);
              }
            });
      }
    }
  }

  /** Weight rows [0, mg) of length kg → panels of NR channels, k-major, zero past mg. */
  private static void pack(float[] w, int wOff, int mg, int kg, float[] wp, int wpOff) {
    int mTiles = (mg + NR - 1) / NR;
    for (int t = 0; t < mTiles; t++) {
      int base = wpOff + t * kg * NR;
      for (int j = 0; j < NR; j++) {
        int ch = t * NR + j;
        if (ch < mg) {
          int src = wOff + ch * kg;
          for (int k = 0; k < kg; k++) {
            wp[base + k * NR + j] = w[src + k];
          }
        } else {
          for (int k = 0; k < kg; k++) {
            wp[base + k * NR + j] = 0.0f;
          }
        }
      }
    }
  }

  /** All output positions of the NR channels starting at {@code m0}. */
  private static void tile(
      float[] wp,
      int pw,
      int k,
      float[] b,
      int bOff,
      int np,
      float[] y,
      int yOff,
      float[] bias,
      int m0,
      int mg,
      int chan0,
      float[] tmp,
      Epilogue ep) {
    int rows = Math.min(NR, mg - m0);
    if (k > KC) {
      blockedTile(wp, pw, k, b, bOff, np, y, yOff, bias, m0, rows, chan0, ep);
      return;
    }
    int p = 0;
    for (; p + 4 <= np; p += 4) {
      quad(wp, pw, k, b, bOff + p, np, bias, m0, tmp);
      scatter(tmp, 4, rows, y, yOff + m0 * np + p, np);
      if (ep != null) {
        ep.apply(y, yOff + m0 * np + p, np, rows, 4, chan0 + m0);
      }
    }
    for (; p < np; p++) {
      single(wp, pw, k, b, bOff + p, np, bias, m0, tmp);
      scatter(tmp, 1, rows, y, yOff + m0 * np + p, np);
      if (ep != null) {
        ep.apply(y, yOff + m0 * np + p, np, rows, 1, chan0 + m0);
      }
    }
  }

  /** K steps per block, so a block of the channel panel (KC × NR floats) stays in L1. */
  private static final int KC = 128;

  private static final ThreadLocal<float[][]> ACC = ThreadLocal.withInitial(() -> new float[1][0]);

  /**
   * {@link #tile} for long K, blocked over k: each output's float32 running sum is kept in a
   * per-thread buffer between blocks and resumed exactly, so every output still sees +0.0f and then
   * its products for k = 0..K-1 in order; bias and epilogue follow the last block.
   */
  private static void blockedTile(
      float[] wp,
      int pw,
      int k,
      float[] b,
      int bOff,
      int np,
      float[] y,
      int yOff,
      float[] bias,
      int m0,
      int rows,
      int chan0,
      Epilogue ep) {
    float[][] holder = ACC.get();
    if (holder[0].length < np * NR) {
      holder[0] = new float[np * NR];
    }
    float[] acc = holder[0];
    for (int k0 = 0; k0 < k; k0 += KC) {
      int kn = Math.min(KC, k - k0);
      boolean first = k0 == 0;
      int wpos = pw + k0 * NR;
      int bpos = bOff + k0 * np;
      int p = 0;
      for (; p + 4 <= np; p += 4) {
        quadBlock(wp, wpos, kn, b, bpos + p, np, acc, p * NR, first);
      }
      for (; p < np; p++) {
        singleBlock(wp, wpos, kn, b, bpos + p, np, acc, p * NR, first);
      }
    }
    for (int p = 0; p < np; p++) {
      int src = p * NR;
      if (bias != null) {
        // "acc + B[m]" per lane: the same single rounding as the unblocked kernel.
        FloatVector.fromArray(S, acc, src)
            .add(FloatVector.fromArray(S, bias, m0))
            .intoArray(acc, src);
        FloatVector.fromArray(S, acc, src + L)
            .add(FloatVector.fromArray(S, bias, m0 + L))
            .intoArray(acc, src + L);
      }
    }
    int pos = yOff + m0 * np;
    for (int j = 0; j < rows; j++) {
      int d = pos + j * np;
      for (int p = 0; p < np; p++) {
        y[d + p] = acc[p * NR + j];
      }
    }
    if (ep != null) {
      ep.apply(y, pos, np, rows, np, chan0 + m0);
    }
  }

  private static void quadBlock(
      float[] wp,
      int pw,
      int k,
      float[] b,
      int bPos,
      int ldb,
      float[] acc,
      int pos,
      boolean first) {
    FloatVector c00;
    FloatVector c01;
    FloatVector c10;
    FloatVector c11;
    FloatVector c20;
    FloatVector c21;
    FloatVector c30;
    FloatVector c31;
    if (first) {
      c00 = FloatVector.zero(S);
      c01 = c00;
      c10 = c00;
      c11 = c00;
      c20 = c00;
      c21 = c00;
      c30 = c00;
      c31 = c00;
    } else {
      c00 = FloatVector.fromArray(S, acc, pos);
      c01 = FloatVector.fromArray(S, acc, pos + L);
      c10 = FloatVector.fromArray(S, acc, pos + NR);
      c11 = FloatVector.fromArray(S, acc, pos + NR + L);
      c20 = FloatVector.fromArray(S, acc, pos + 2 * NR);
      c21 = FloatVector.fromArray(S, acc, pos + 2 * NR + L);
      c30 = FloatVector.fromArray(S, acc, pos + 3 * NR);
      c31 = FloatVector.fromArray(S, acc, pos + 3 * NR + L);
    }
    for (int kk = 0; kk < k; kk++) {
      int wpos = pw + kk * NR;
      FloatVector w0 = FloatVector.fromArray(S, wp, wpos);
      FloatVector w1 = FloatVector.fromArray(S, wp, wpos + L);
      int xb = bPos + kk * ldb;
      float x0 = b[xb];
      float x1 = b[xb + 1];
      float x2 = b[xb + 2];
      float x3 = b[xb + 3];
      c00 = c00.add(w0.mul(x0));
      c01 = c01.add(w1.mul(x0));
      c10 = c10.add(w0.mul(x1));
      c11 = c11.add(w1.mul(x1));
      c20 = c20.add(w0.mul(x2));
      c21 = c21.add(w1.mul(x2));
      c30 = c30.add(w0.mul(x3));
      c31 = c31.add(w1.mul(x3));
    }
    c00.intoArray(acc, pos);
    c01.intoArray(acc, pos + L);
    c10.intoArray(acc, pos + NR);
    c11.intoArray(acc, pos + NR + L);
    c20.intoArray(acc, pos + 2 * NR);
    c21.intoArray(acc, pos + 2 * NR + L);
    c30.intoArray(acc, pos + 3 * NR);
    c31.intoArray(acc, pos + 3 * NR + L);
  }

  private static void singleBlock(
      float[] wp,
      int pw,
      int k,
      float[] b,
      int bPos,
      int ldb,
      float[] acc,
      int pos,
      boolean first) {
    FloatVector c0 = first ? FloatVector.zero(S) : FloatVector.fromArray(S, acc, pos);
    FloatVector c1 = first ? FloatVector.zero(S) : FloatVector.fromArray(S, acc, pos + L);
    for (int kk = 0; kk < k; kk++) {
      int wpos = pw + kk * NR;
      float x0 = b[bPos + kk * ldb];
      c0 = c0.add(FloatVector.fromArray(S, wp, wpos).mul(x0));
      c1 = c1.add(FloatVector.fromArray(S, wp, wpos + L).mul(x0));
    }
    c0.intoArray(acc, pos);
    c1.intoArray(acc, pos + L);
  }

  /** tmp[q·NR + j] (position q, channel j) → y[j·np + q]. */
  private static void scatter(float[] tmp, int cols, int rows, float[] y, int pos, int np) {
    for (int j = 0; j < rows; j++) {
      int d = pos + j * np;
      for (int q = 0; q < cols; q++) {
        y[d + q] = tmp[q * NR + j];
      }
    }
  }

  // Four output positions by two vectors of channels: eight independent accumulators.
  private static void quad(
      float[] wp, int pw, int k, float[] b, int bPos, int ldb, float[] bias, int m0, float[] tmp) {
    FloatVector c00 = FloatVector.zero(S);
    FloatVector c01 = c00;
    FloatVector c10 = c00;
    FloatVector c11 = c00;
    FloatVector c20 = c00;
    FloatVector c21 = c00;
    FloatVector c30 = c00;
    FloatVector c31 = c00;
    for (int kk = 0; kk < k; kk++) {
      int wpos = pw + kk * NR;
      FloatVector w0 = FloatVector.fromArray(S, wp, wpos);
      FloatVector w1 = FloatVector.fromArray(S, wp, wpos + L);
      int xb = bPos + kk * ldb;
      float x0 = b[xb];
      float x1 = b[xb + 1];
      float x2 = b[xb + 2];
      float x3 = b[xb + 3];
      c00 = c00.add(w0.mul(x0));
      c01 = c01.add(w1.mul(x0));
      c10 = c10.add(w0.mul(x1));
      c11 = c11.add(w1.mul(x1));
      c20 = c20.add(w0.mul(x2));
      c21 = c21.add(w1.mul(x2));
      c30 = c30.add(w0.mul(x3));
      c31 = c31.add(w1.mul(x3));
    }
    if (bias != null) {
      // "acc + B[m]" per lane: the same single rounding as the scalar epilogue.
      FloatVector b0 = FloatVector.fromArray(S, bias, m0);
      FloatVector b1 = FloatVector.fromArray(S, bias, m0 + L);
      c00 = c00.add(b0);
      c01 = c01.add(b1);
      c10 = c10.add(b0);
      c11 = c11.add(b1);
      c20 = c20.add(b0);
      c21 = c21.add(b1);
      c30 = c30.add(b0);
      c31 = c31.add(b1);
    }
    c00.intoArray(tmp, 0);
    c01.intoArray(tmp, L);
    c10.intoArray(tmp, NR);
    c11.intoArray(tmp, NR + L);
    c20.intoArray(tmp, 2 * NR);
    c21.intoArray(tmp, 2 * NR + L);
    c30.intoArray(tmp, 3 * NR);
    c31.intoArray(tmp, 3 * NR + L);
  }

  private static void single(
      float[] wp, int pw, int k, float[] b, int bPos, int ldb, float[] bias, int m0, float[] tmp) {
    FloatVector c0 = FloatVector.zero(S);
    FloatVector c1 = c0;
    for (int kk = 0; kk < k; kk++) {
      int wpos = pw + kk * NR;
      float x0 = b[bPos + kk * ldb];
      c0 = c0.add(FloatVector.fromArray(S, wp, wpos).mul(x0));
      c1 = c1.add(FloatVector.fromArray(S, wp, wpos + L).mul(x0));
    }
    if (bias != null) {
      c0 = c0.add(FloatVector.fromArray(S, bias, m0));
      c1 = c1.add(FloatVector.fromArray(S, bias, m0 + L));
    }
    c0.intoArray(tmp, 0);
    c1.intoArray(tmp, L);
  }
}
