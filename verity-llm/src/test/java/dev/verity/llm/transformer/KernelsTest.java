package dev.verity.llm.transformer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class KernelsTest {
  /** Values over a wide range of magnitudes and signs, so rounding differences would show. */
  private static float[] randomFloats(Random r, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      float m = (float) Math.scalb(r.nextDouble() * 2 - 1, r.nextInt(24) - 12);
      v[i] = r.nextInt(50) == 0 ? 0f : m;
    }
    return v;
  }

  /** The specification: each output summed from 0 in column order, multiply then add. */
  private static float[] naive(float[] w, float[] x, int rows, int cols) {
    float[] out = new float[rows];
    for (int i = 0; i < rows; i++) {
      float v = 0f;
      for (int k = 0; k < cols; k++) {
        v += w[i * cols + k] * x[k];
      }
      out[i] = v;
    }
    return out;
  }

  private static int[] bits(float[] v) {
    int[] b = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      b[i] = Float.floatToRawIntBits(v[i]);
    }
    return b;
  }

  @Property(tries = 200)
  void vectorKernel_givesScalarReferenceBits(
      @ForAll @IntRange(min = 1, max = 90) int rows,
      @ForAll @IntRange(min = 1, max = 90) int cols,
      @ForAll long seed) {
    Random r = new Random(seed);
    float[] w = randomFloats(r, rows * cols);
    float[] x = randomFloats(r, cols);
    PackedMatrix m = PackedMatrix.ofRowMajor(w, 0, rows, cols);
    float[] expected = naive(w, x, rows, cols);
    float[] scalar = new float[rows + 3];
    float[] vector = new float[rows + 3];
    Kernels.SCALAR.matvec(m, x, scalar, 3);
    Kernels.VECTOR.matvec(m, x, vector, 3);
    assertThat(bits(java.util.Arrays.copyOfRange(scalar, 3, rows + 3))).isEqualTo(bits(expected));
    assertThat(bits(vector)).isEqualTo(bits(scalar));
  }

  @Property(tries = 40)
  void threads_giveIdenticalBits(
      @ForAll @IntRange(min = 1, max = 300) int rows,
      @ForAll @IntRange(min = 1, max = 120) int cols,
      @ForAll @IntRange(min = 2, max = 5) int threads,
      @ForAll long seed) {
    Random r = new Random(seed);
    float[] w = randomFloats(r, rows * cols);
    float[] x = randomFloats(r, cols);
    PackedMatrix m = PackedMatrix.ofRowMajor(w, 0, rows, cols);
    float[] one = new float[rows];
    float[] many = new float[rows];
    try (MatvecExecutor single = MatvecExecutor.create(Kernels.VECTOR, 1);
        MatvecExecutor multi = MatvecExecutor.create(Kernels.VECTOR, threads, 1)) {
      single.matvec(m, x, one, 0);
      multi.matvec(m, x, many, 0);
    }
    assertThat(bits(many)).isEqualTo(bits(one)).isEqualTo(bits(naive(w, x, rows, cols)));
  }

  @Test
  void vectorKernel_doesNotFuseMultiplyAdd() {
    // (1 + 2^-23) squared needs the unrounded product to differ from the rounded one: with FMA
    // the result of (a*a) + (-1 - 2^-22) would be 2^-46, without it 0.
    float a = 1f + 0x1.0p-23f;
    float c = -(1f + 0x1.0p-22f);
    PackedMatrix m = PackedMatrix.ofRowMajor(new float[] {a, c}, 0, 1, 2);
    float[] out = new float[1];
    Kernels.VECTOR.matvec(m, new float[] {a, 1f}, out, 0);
    float separate = 0f + a * a;
    separate = separate + c * 1f;
    assertThat(out[0]).isEqualTo(separate).isEqualTo(0f);
    assertThat(Math.fma(a, a, c)).isNotEqualTo(0f);
  }

  @Test
  void packedMatrix_roundTripsRows() {
    Random r = new Random(7);
    float[] w = randomFloats(r, 37 * 11);
    PackedMatrix m = PackedMatrix.ofRowMajor(w, 0, 37, 11);
    float[] row = new float[11];
    for (int i = 0; i < 37; i++) {
      m.copyRow(i, row, 0);
      assertThat(row).isEqualTo(java.util.Arrays.copyOfRange(w, i * 11, i * 11 + 11));
      assertThat(m.get(i, 5)).isEqualTo(w[i * 11 + 5]);
    }
  }
}
