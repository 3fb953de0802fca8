package dev.verity.engine.strict.ops;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Float32 matrix product {@code C[i][j] = sum_k A[i][k] * B[k][j]} with the strict accumulation
 * order: {@code acc = +0.0f; for k = 0..K-1: acc = acc + (A[i][k] * B[k][j])}, each product and
 * each sum rounded to float32 (no fused multiply-add).
 *
 * <p>The fast path keeps that order per element and gains speed only across independent outputs: B
 * is packed into panels of {@code 2 * lanes} columns, vector lanes run over output columns {@code
 * j}, a register tile covers four rows, and every accumulator walks k = 0..K-1 in order with a
 * separate multiply and add. Threads split column panels (and row groups when panels are few).
 */
public final class Gemm {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  private static final int NR = 2 * L;

  private Gemm() {}

  /**
   * C (M×N, row stride ldc, offset cOff) = A (M×K, row stride lda) · B (K×N, row stride ldb). C is
   * overwritten.
   */
  public static void multiply(
      float[] a,
      int aOff,
      int lda,
      float[] b,
      int bOff,
      int ldb,
      float[] c,
      int cOff,
      int ldc,
      int m,
      int n,
      int k,
      ExecContext ctx) {
    if (!ctx.fast()) {
      int rowsPerTask = Math.max(1, 65536 / Math.max(1, n * Math.max(1, k)));
      ctx.parallelFor(
          m,
          rowsPerTask,
          (from, to) -> {
            for (int i = from; i < to; i++) {
              ctx.checkDeadline();
              reference(a, aOff + i * lda, b, bOff, ldb, c, cOff + i * ldc, n, k);
            }
          });
      return;
    }
    float[] packed = ctx.scratch(packedSize(k, n), "packed GEMM operand");
    packB(b, bOff, ldb, k, n, packed, ctx);
    multiplyPacked(a, aOff, lda, packed, c, cOff, ldc, m, n, k, null, 0, ctx);
  }

  /** Floats needed to hold a K×N operand in packed panels of {@link #NR} columns. */
  public static long packedSize(int k, int n) {
    return (long) ((n + NR - 1) / NR) * k * NR;
  }

  /** Panel width: output columns per register tile. */
  public static int panelWidth() {
    return NR;
  }

  /**
   * Packs B (K×N, row stride ldb) into panels: panel t holds columns [t·NR, t·NR+NR) as K rows of
   * NR contiguous floats, zero-filled past column N. Packing moves values only.
   */
  public static void packB(
      float[] b, int bOff, int ldb, int k, int n, float[] dst, ExecContext ctx) {
    int tiles = (n + NR - 1) / NR;
    ctx.parallelFor(
        tiles,
        Math.max(1, 4096 / Math.max(1, k)),
        (t0, t1) -> {
          for (int t = t0; t < t1; t++) {
            int j0 = t * NR;
            int w = Math.min(NR, n - j0);
            int base = t * k * NR;
            for (int kk = 0; kk < k; kk++) {
              int d = base + kk * NR;
              System.arraycopy(b, bOff + kk * ldb + j0, dst, d, w);
              if (w < NR) {
                java.util.Arrays.fill(dst, d + w, d + NR, 0.0f);
              }
            }
          }
        });
  }

  /**
   * C (M×N) = A (M×K) · packed B, with each element accumulated over k = 0..K-1 in order from +0.0f
   * (the strict order); threads split the column panels.
   */
  public static void multiplyPacked(
      float[] a,
      int aOff,
      int lda,
      float[] bp,
      float[] c,
      int cOff,
      int ldc,
      int m,
      int n,
      int k,
      float[] bias,
      int biasOff,
      ExecContext ctx) {
    int tiles = (n + NR - 1) / NR;
    int groups = rowGroups(tiles, m, ctx.threads());
    int rowsPer = rowsPerGroup(m, groups);
    int minItems = Math.max(1, (int) (131072L / Math.max(1L, (long) rowsPer * k * NR)));
    ctx.parallelFor(
        tiles * groups,
        minItems,
        (i0, i1) -> {
          float[] tmp = new float[4 * NR];
          for (int item = i0; item < i1; item++) {
            ctx.checkDeadline();
            int t = item / groups;
            int r0 = (item % groups) * rowsPer;
            int r1 = Math.min(m, r0 + rowsPer);
            if (r0 >= r1) {
              continue;
            }
            int j0 = t * NR;
            panelTimes(
                a,
                aOff + r0 * lda,
                lda,
                bp,
                t * k * NR,
                k,
                c,
                cOff + r0 * ldc + j0,
                ldc,
                r1 - r0,
                Math.min(NR, n - j0),
                bias,
                biasOff + r0,
                tmp);
          }
        });
  }

  /**
   * How many row groups to split M into so that threads have work when column panels are few; the
   * split never changes any element's arithmetic.
   */
  public static int rowGroups(int tiles, int m, int threads) {
    if (threads <= 1 || tiles >= 2 * threads) {
      return 1;
    }
    int maxGroups = Math.max(1, (m + 3) / 4);
    return Math.min(maxGroups, (2 * threads + tiles - 1) / tiles);
  }

  /** Rows per group: a multiple of four so groups keep whole register tiles. */
  public static int rowsPerGroup(int m, int groups) {
    int per = (m + groups - 1) / groups;
    return (per + 3) / 4 * 4;
  }

  /**
   * Output columns [j, j + w) (w ≤ NR) of all M rows: {@code C[i][j..] = A[i][:] · panel}, where
   * the panel at {@code pb} holds K rows of NR packed floats; {@code tmp} is 4·NR scratch.
   */
  public static void panelTimes(
      float[] a,
      int aOff,
      int lda,
      float[] bp,
      int pb,
      int k,
      float[] c,
      int cCol,
      int ldc,
      int m,
      int w,
      float[] bias,
      int biasOff,
      float[] tmp) {
    panelTimes(a, aOff, lda, bp, pb, k, c, cCol, ldc, m, w, bias, biasOff, tmp, null);
  }

  /** As above, then {@code ep} on each finished 4-row tile while it is in cache. */
  public static void panelTimes(
      float[] a,
      int aOff,
      int lda,
      float[] bp,
      int pb,
      int k,
      float[] c,
      int cCol,
      int ldc,
      int m,
      int w,
      float[] bias,
      int biasOff,
      float[] tmp,
      Epilogue ep) {
    if (k > KC) {
      blockedPanelTimes(a, aOff, lda, bp, pb, k, c, cCol, ldc, m, w, bias, biasOff, ep);
      return;
    }
    int i = 0;
    for (; i + 4 <= m; i += 4) {
      if (w == NR) {
        panel4(a, aOff + i * lda, lda, bp, pb, k, c, cCol + i * ldc, ldc, bias, biasOff + i);
      } else {
        panel4(a, aOff + i * lda, lda, bp, pb, k, tmp, 0, NR, bias, biasOff + i);
        copyOut(tmp, 4, w, c, cCol + i * ldc, ldc);
      }
      if (ep != null) {
        ep.apply(c, cCol + i * ldc, ldc, 4, w, biasOff + i);
      }
    }
    for (; i < m; i++) {
      if (w == NR) {
        panel1(a, aOff + i * lda, bp, pb, k, c, cCol + i * ldc, bias, biasOff + i);
      } else {
        panel1(a, aOff + i * lda, bp, pb, k, tmp, 0, bias, biasOff + i);
        copyOut(tmp, 1, w, c, cCol + i * ldc, ldc);
      }
      if (ep != null) {
        ep.apply(c, cCol + i * ldc, ldc, 1, w, biasOff + i);
      }
    }
  }

  /**
   * K steps per block: a block of the packed panel (KC × NR floats) stays in the L1 cache while
   * every row tile of the panel runs over it.
   */
  private static final int KC = 128;

  private static final ThreadLocal<float[][]> ACC = ThreadLocal.withInitial(() -> new float[1][0]);

  /**
   * As {@link #panelTimes} for long K, blocked over k: every output's running float32 sum is kept
   * in a per-thread buffer between blocks and resumed exactly where it stopped, so each output
   * still sees acc = +0.0f, then + A[i][k]·B[k][j] for k = 0..K-1 in order. Bias and epilogue run
   * after the last block, as in the unblocked kernel.
   */
  private static void blockedPanelTimes(
      float[] a,
      int aOff,
      int lda,
      float[] bp,
      int pb,
      int k,
      float[] c,
      int cCol,
      int ldc,
      int m,
      int w,
      float[] bias,
      int biasOff,
      Epilogue ep) {
    float[][] holder = ACC.get();
    if (holder[0].length < m * NR) {
      holder[0] = new float[m * NR];
    }
    float[] acc = holder[0];
    for (int k0 = 0; k0 < k; k0 += KC) {
      int kn = Math.min(KC, k - k0);
      boolean first = k0 == 0;
      int i = 0;
      for (; i + 4 <= m; i += 4) {
        block4(a, aOff + i * lda + k0, lda, bp, pb + k0 * NR, kn, acc, i * NR, first);
      }
      for (; i < m; i++) {
        block1(a, aOff + i * lda + k0, bp, pb + k0 * NR, kn, acc, i * NR, first);
      }
    }
    for (int i = 0; i < m; i++) {
      int src = i * NR;
      if (bias != null) {
        // "acc + bias" per element, the same single rounding as the unblocked epilogue.
        float bi = bias[biasOff + i];
        FloatVector.fromArray(S, acc, src).add(bi).intoArray(acc, src);
        FloatVector.fromArray(S, acc, src + L).add(bi).intoArray(acc, src + L);
      }
      System.arraycopy(acc, src, c, cCol + i * ldc, w);
    }
    if (ep != null) {
      ep.apply(c, cCol, ldc, m, w, biasOff);
    }
  }

  private static void block4(
      float[] a,
      int aRow,
      int lda,
      float[] bp,
      int pb,
      int k,
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
    int a1 = aRow + lda;
    int a2 = aRow + 2 * lda;
    int a3 = aRow + 3 * lda;
    for (int kk = 0; kk < k; kk++) {
      int bpos = pb + kk * NR;
      FloatVector b0 = FloatVector.fromArray(S, bp, bpos);
      FloatVector b1 = FloatVector.fromArray(S, bp, bpos + L);
      float x0 = a[aRow + kk];
      float x1 = a[a1 + kk];
      float x2 = a[a2 + kk];
      float x3 = a[a3 + kk];
      c00 = c00.add(b0.mul(x0));
      c01 = c01.add(b1.mul(x0));
      c10 = c10.add(b0.mul(x1));
      c11 = c11.add(b1.mul(x1));
      c20 = c20.add(b0.mul(x2));
      c21 = c21.add(b1.mul(x2));
      c30 = c30.add(b0.mul(x3));
      c31 = c31.add(b1.mul(x3));
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

  private static void block1(
      float[] a, int aRow, float[] bp, int pb, int k, float[] acc, int pos, boolean first) {
    FloatVector c0 = first ? FloatVector.zero(S) : FloatVector.fromArray(S, acc, pos);
    FloatVector c1 = first ? FloatVector.zero(S) : FloatVector.fromArray(S, acc, pos + L);
    for (int kk = 0; kk < k; kk++) {
      int bpos = pb + kk * NR;
      float x = a[aRow + kk];
      c0 = c0.add(FloatVector.fromArray(S, bp, bpos).mul(x));
      c1 = c1.add(FloatVector.fromArray(S, bp, bpos + L).mul(x));
    }
    c0.intoArray(acc, pos);
    c1.intoArray(acc, pos + L);
  }

  private static void copyOut(float[] tmp, int rows, int w, float[] c, int cPos, int ldc) {
    for (int r = 0; r < rows; r++) {
      System.arraycopy(tmp, r * NR, c, cPos + r * ldc, w);
    }
  }

  // Four rows by two vectors: sixteen accumulators were measured faster in isolation but made
  // C2 box vectors (heavy allocation) once inlined into the model's call chain.
  private static void panel4(
      float[] a,
      int aRow,
      int lda,
      float[] bp,
      int pb,
      int k,
      float[] c,
      int cPos,
      int ldc,
      float[] bias,
      int bRow) {
    FloatVector c00 = FloatVector.zero(S);
    FloatVector c01 = c00;
    FloatVector c10 = c00;
    FloatVector c11 = c00;
    FloatVector c20 = c00;
    FloatVector c21 = c00;
    FloatVector c30 = c00;
    FloatVector c31 = c00;
    int a1 = aRow + lda;
    int a2 = aRow + 2 * lda;
    int a3 = aRow + 3 * lda;
    for (int kk = 0; kk < k; kk++) {
      int bpos = pb + kk * NR;
      FloatVector b0 = FloatVector.fromArray(S, bp, bpos);
      FloatVector b1 = FloatVector.fromArray(S, bp, bpos + L);
      float x0 = a[aRow + kk];
      float x1 = a[a1 + kk];
      float x2 = a[a2 + kk];
      float x3 = a[a3 + kk];
      c00 = c00.add(b0.mul(x0));
      c01 = c01.add(b1.mul(x0));
      c10 = c10.add(b0.mul(x1));
      c11 = c11.add(b1.mul(x1));
      c20 = c20.add(b0.mul(x2));
      c21 = c21.add(b1.mul(x2));
      c30 = c30.add(b0.mul(x3));
      c31 = c31.add(b1.mul(x3));
    }
    if (bias != null) {
      // Epilogue "acc + bias" per element, the same single rounding as a separate pass.
      c00 = c00.add(bias[bRow]);
      c01 = c01.add(bias[bRow]);
      c10 = c10.add(bias[bRow + 1]);
      c11 = c11.add(bias[bRow + 1]);
      c20 = c20.add(bias[bRow + 2]);
      c21 = c21.add(bias[bRow + 2]);
      c30 = c30.add(bias[bRow + 3]);
      c31 = c31.add(bias[bRow + 3]);
    }
    c00.intoArray(c, cPos);
    c01.intoArray(c, cPos + L);
    c10.intoArray(c, cPos + ldc);
    c11.intoArray(c, cPos + ldc + L);
    c20.intoArray(c, cPos + 2 * ldc);
    c21.intoArray(c, cPos + 2 * ldc + L);
    c30.intoArray(c, cPos + 3 * ldc);
    c31.intoArray(c, cPos + 3 * ldc + L);
  }

  private static void panel1(
      float[] a, int aRow, float[] bp, int pb, int k, float[] c, int cPos, float[] bias, int bRow) {
    FloatVector c0 = FloatVector.zero(S);
    FloatVector c1 = c0;
    for (int kk = 0; kk < k; kk++) {
      int bpos = pb + kk * NR;
      float x = a[aRow + kk];
      c0 = c0.add(FloatVector.fromArray(S, bp, bpos).mul(x));
      c1 = c1.add(FloatVector.fromArray(S, bp, bpos + L).mul(x));
    }
    if (bias != null) {
      c0 = c0.add(bias[bRow]);
      c1 = c1.add(bias[bRow]);
    }
    c0.intoArray(c, cPos);
    c1.intoArray(c, cPos + L);
  }

  /** The scalar reference for one output row. */
  static void reference(
      float[] a, int aRow, float[] b, int bOff, int ldb, float[] c, int cRow, int n, int k) {
    for (int j = 0; j < n; j++) {
      float acc = 0.0f;
      for (int kk = 0; kk < k; kk++) {
        acc = acc + a[aRow + kk] * b[bOff + kk * ldb + j];
      }
      c[cRow + j] = acc;
    }
  }
}
