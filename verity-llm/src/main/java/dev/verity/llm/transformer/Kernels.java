package dev.verity.llm.transformer;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Matrix-vector products {@code out[i] = Σ_k W[i][k]·x[k]}, each output accumulated in float32 from
 * 0 in column order k = 0..n-1 with a separate multiply and add (never a fused multiply-add).
 * {@link #SCALAR} is the reference; {@link #VECTOR} computes {@link PackedMatrix#LANES} rows per
 * vector and is tested to give the same bits.
 */
public enum Kernels {
  /** The reference: one output at a time, plain Java float arithmetic. */
  SCALAR {
    @Override
    void matvecBlocks(PackedMatrix w, float[] x, float[] out, int outOffset, int b0, int b1) {
      int n = w.cols();
      int lanes = PackedMatrix.LANES;
      float[] d = w.data;
      for (int b = b0; b < b1; b++) {
        for (int lane = 0; lane < lanes; lane++) {
          int row = b * lanes + lane;
          if (row >= w.rows()) {
            break;
          }
          int base = b * lanes * n + lane;
          float v = 0f;
          for (int k = 0; k < n; k++) {
            v += d[base + k * lanes] * x[k];
          }
          out[outOffset + row] = v;
        }
      }
    }
  },
  /** Vector lanes across output rows; four row blocks in flight to hide add latency. */
  VECTOR {
    @Override
    void matvecBlocks(PackedMatrix w, float[] x, float[] out, int outOffset, int b0, int b1) {
      VectorSpecies<Float> s = PackedMatrix.SPECIES;
      int lanes = PackedMatrix.LANES;
      int n = w.cols();
      int stride = lanes * n;
      float[] d = w.data;
      int b = b0;
      for (; b + 4 <= b1; b += 4) {
        FloatVector a0 = FloatVector.zero(s);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        int o0 = b * stride;
        int o1 = o0 + stride;
        int o2 = o1 + stride;
        int o3 = o2 + stride;
        for (int k = 0; k < n; k++) {
          FloatVector xk = FloatVector.broadcast(s, x[k]);
          int kk = k * lanes;
          a0 = a0.add(FloatVector.fromArray(s, d, o0 + kk).mul(xk));
          a1 = a1.add(FloatVector.fromArray(s, d, o1 + kk).mul(xk));
          a2 = a2.add(FloatVector.fromArray(s, d, o2 + kk).mul(xk));
          a3 = a3.add(FloatVector.fromArray(s, d, o3 + kk).mul(xk));
        }
        store(a0, w, out, outOffset, b);
        store(a1, w, out, outOffset, b + 1);
        store(a2, w, out, outOffset, b + 2);
        store(a3, w, out, outOffset, b + 3);
      }
      for (; b + 2 <= b1; b += 2) {
        FloatVector a0 = FloatVector.zero(s);
        FloatVector a1 = a0;
        int o0 = b * stride;
        int o1 = o0 + stride;
        for (int k = 0; k < n; k++) {
          FloatVector xk = FloatVector.broadcast(s, x[k]);
          int kk = k * lanes;
          a0 = a0.add(FloatVector.fromArray(s, d, o0 + kk).mul(xk));
          a1 = a1.add(FloatVector.fromArray(s, d, o1 + kk).mul(xk));
        }
        store(a0, w, out, outOffset, b);
        store(a1, w, out, outOffset, b + 1);
      }
      for (; b < b1; b++) {
        FloatVector a0 = FloatVector.zero(s);
        int o0 = b * stride;
        for (int k = 0; k < n; k++) {
          a0 =
              a0.add(
                  FloatVector.fromArray(s, d, o0 + k * lanes).mul(FloatVector.broadcast(s, x[k])));
        }
        store(a0, w, out, outOffset, b);
      }
    }

    private static void store(FloatVector v, PackedMatrix w, float[] out, int outOffset, int b) {
      int row = b * PackedMatrix.LANES;
      if (row + PackedMatrix.LANES <= w.rows()) {
        v.intoArray(out, outOffset + row);
      } else {
        VectorMask<Float> m = PackedMatrix.SPECIES.indexInRange(row, w.rows());
        v.intoArray(out, outOffset + row, m);
      }
    }
  };

  /** Computes rows of blocks {@code [b0, b1)} into {@code out[outOffset + row]}. */
  abstract void matvecBlocks(PackedMatrix w, float[] x, float[] out, int outOffset, int b0, int b1);

  /** {@code out[outOffset + i] = Σ_k W[i][k]·x[k]} for every row i, on the calling thread. */
  public void matvec(PackedMatrix w, float[] x, float[] out, int outOffset) {
    matvecBlocks(w, x, out, outOffset, 0, w.blocks());
  }
}
