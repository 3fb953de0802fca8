package dev.verity.engine.strict.ops;

import java.util.Arrays;

/** MatMul (numpy semantics, batched with broadcasting) and Gemm on top of {@link Gemm}. */
public final class MatOps {
  private MatOps() {}

  public static Nd matmul(Nd a, Nd b, ExecContext ctx) {
    return matmul(a, b, null, ctx);
  }

  /**
   * MatMul; {@code packedB}, when given, is {@link Gemm#packB} of a 2-D B (same values, panel
   * layout) and is used by the vector path instead of packing B again.
   */
  public static Nd matmul(Nd a, Nd b, float[] packedB, ExecContext ctx) {
    if (a.type != dev.verity.engine.DataType.FLOAT32 || b.type != a.type) {
      throw new RunFailure(ctx.where() + ": MatMul supports float32 only");
    }
    boolean aVec = a.rank() == 1;
    boolean bVec = b.rank() == 1;
    int[] as = aVec ? new int[] {1, a.shape[0]} : a.shape;
    int[] bs = bVec ? new int[] {b.shape[0], 1} : b.shape;
    int m = as[as.length - 2];
    int k = as[as.length - 1];
    int n = bs[bs.length - 1];
    if (bs[bs.length - 2] != k) {
      throw new RunFailure(
          ctx.where()
              + ": MatMul shapes "
              + Arrays.toString(a.shape)
              + " and "
              + Arrays.toString(b.shape)
              + " do not match");
    }
    int[] ab = Arrays.copyOf(as, as.length - 2);
    int[] bb = Arrays.copyOf(bs, bs.length - 2);
    int[] batch = Shapes.broadcast(ab, bb);
    int[] outShape = Arrays.copyOf(batch, batch.length + 2);
    outShape[batch.length] = m;
    outShape[batch.length + 1] = n;
    Nd out = ctx.newFloats(outShape);
    int nb = Shapes.size(batch, 0, batch.length);
    int[] sa = Shapes.bstrides(ab, batch);
    int[] sb = Shapes.bstrides(bb, batch);
    int[] idx = new int[batch.length];
    for (int t = 0; t < nb; t++) {
      int ia = 0;
      int ib = 0;
      for (int d = 0; d < batch.length; d++) {
        ia += idx[d] * sa[d];
        ib += idx[d] * sb[d];
      }
      if (packedB != null && ctx.fast()) {
        Gemm.multiplyPacked(
            a.f, ia * m * k, k, packedB, out.f, t * m * n, n, m, n, k, null, 0, ctx);
      } else {
        Gemm.multiply(a.f, ia * m * k, k, b.f, ib * k * n, n, out.f, t * m * n, n, m, n, k, ctx);
      }
      for (int d = batch.length - 1; d >= 0; d--) {
        if (++idx[d] < batch[d]) {
          break;
        }
        idx[d] = 0;
      }
    }
    int[] finalShape = outShape;
    if (aVec && bVec) {
      finalShape = Arrays.copyOf(batch, batch.length);
    } else if (aVec) {
      finalShape = Arrays.copyOf(batch, batch.length + 1);
      finalShape[batch.length] = n;
    } else if (bVec) {
      finalShape = Arrays.copyOf(batch, batch.length + 1);
      finalShape[batch.length] = m;
    }
    return out.reshape(finalShape);
  }

  /** Row-major transpose of a 2-D float matrix. */
  public static float[] transpose2d(float[] x, int rows, int cols, ExecContext ctx) {
    float[] t = ctx.scratch((long) rows * cols, "transposed operand");
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        t[j * rows + i] = x[i * cols + j];
      }
    }
    return t;
  }

  /**
   * Gemm: {@code acc = A'B'} (strict order), then {@code acc * alpha} when alpha != 1, then {@code
   * + (beta * C)} (or {@code + C} when beta == 1) when C is present.
   */
  public static Nd gemm(
      Nd a,
      Nd b,
      Nd c,
      float alpha,
      float beta,
      boolean ta,
      boolean tb,
      float[] bT,
      float[] packedB,
      ExecContext ctx) {
    if (a.rank() != 2 || b.rank() != 2) {
      throw new RunFailure(ctx.where() + ": Gemm needs 2-D A and B");
    }
    int m = ta ? a.shape[1] : a.shape[0];
    int k = ta ? a.shape[0] : a.shape[1];
    int kb = tb ? b.shape[1] : b.shape[0];
    int n = tb ? b.shape[0] : b.shape[1];
    if (k != kb) {
      throw new RunFailure(
          ctx.where()
              + ": Gemm shapes "
              + Arrays.toString(a.shape)
              + " and "
              + Arrays.toString(b.shape)
              + " do not match");
    }
    float[] am = ta ? transpose2d(a.f, a.shape[0], a.shape[1], ctx) : a.f;
    Nd y = ctx.newFloats(new int[] {m, n});
    if (packedB != null && ctx.fast()) {
      Gemm.multiplyPacked(am, 0, k, packedB, y.f, 0, n, m, n, k, null, 0, ctx);
    } else {
      float[] bm = tb ? (bT != null ? bT : transpose2d(b.f, b.shape[0], b.shape[1], ctx)) : b.f;
      Gemm.multiply(am, 0, k, bm, 0, n, y.f, 0, n, m, n, k, ctx);
    }
    if (alpha != 1.0f) {
      for (int i = 0; i < y.size; i++) {
        y.f[i] = y.f[i] * alpha;
      }
    }
    if (c != null && beta != 0.0f) {
      int[] cs = Shapes.bstrides(c.shape, y.shape);
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          float cv = c.f[i * cs[0] + j * cs[1]];
          y.f[i * n + j] = y.f[i * n + j] + (beta == 1.0f ? cv : beta * cv);
        }
      }
    }
    return y;
  }
}
