package dev.verity.engine.strict.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verity.engine.EngineLimits;
import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import net.jqwik.api.Assume;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * The vectorized, blocked, multithreaded paths must give exactly the scalar reference's bits,
 * including for NaN, infinities, subnormals and signed zeros.
 */
class FastPathBitExactnessTest {
  private static final ForkJoinPool POOL = new ForkJoinPool(3);

  @AfterContainer
  static void shutdown() {
    POOL.shutdown();
  }

  static ExecContext ctx(boolean fast, int threads) {
    return new ExecContext(
        EngineLimits.DEFAULT,
        System.nanoTime() + 60_000_000_000L,
        threads > 1 ? POOL : null,
        threads,
        fast);
  }

  /** Mostly ordinary values with a sprinkling of IEEE special cases. */
  static float[] values(int n, long seed) {
    Random r = new Random(seed);
    float[] specials = {
      Float.NaN,
      Float.POSITIVE_INFINITY,
      Float.NEGATIVE_INFINITY,
      -0.0f,
      0.0f,
      Float.MIN_VALUE,
      -Float.MIN_VALUE,
      1e-40f,
      Float.MAX_VALUE,
      -Float.MAX_VALUE,
      1e-38f
    };
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] =
          r.nextInt(40) == 0
              ? specials[r.nextInt(specials.length)]
              : (float) (r.nextGaussian() * Math.pow(10, r.nextInt(7) - 3));
    }
    return x;
  }

  static void assertSameBits(float[] a, float[] b) {
    assertThat(a.length).isEqualTo(b.length);
    for (int i = 0; i < a.length; i++) {
      // NaNs compare canonically: the engine emits every NaN as 0x7fc00000 (ARITHMETIC.md).
      if (Float.floatToIntBits(a[i]) != Float.floatToIntBits(b[i])) {
        throw new AssertionError(
            "element "
                + i
                + " differs: "
                + a[i]
                + " vs "
                + b[i]
                + " ("
                + Integer.toHexString(Float.floatToRawIntBits(a[i]))
                + " vs "
                + Integer.toHexString(Float.floatToRawIntBits(b[i]))
                + ")");
      }
    }
  }

  @Property(tries = 60)
  void gemm_fastAndThreaded_equalsScalarReferenceBits(
      @ForAll @IntRange(min = 1, max = 21) int m,
      @ForAll @IntRange(min = 1, max = 90) int n,
      @ForAll @IntRange(min = 0, max = 600) int k,
      @ForAll long seed) {
    float[] a = values(m * k, seed);
    float[] b = values(k * n, seed + 1);
    float[] ref = new float[m * n];
    for (int i = 0; i < m; i++) {
      Gemm.reference(a, i * k, b, 0, n, ref, i * n, n, k);
    }
    float[] fast1 = new float[m * n];
    Gemm.multiply(a, 0, k, b, 0, n, fast1, 0, n, m, n, k, ctx(true, 1));
    float[] fast3 = new float[m * n];
    Gemm.multiply(a, 0, k, b, 0, n, fast3, 0, n, m, n, k, ctx(true, 3));
    float[] scalar3 = new float[m * n];
    Gemm.multiply(a, 0, k, b, 0, n, scalar3, 0, n, m, n, k, ctx(false, 3));
    assertSameBits(fast1, ref);
    assertSameBits(fast3, ref);
    assertSameBits(scalar3, ref);
  }

  /** Direct convolution written straight from the documented order (docs/ARITHMETIC.md). */
  static float[] convSpec(
      float[] x,
      float[] w,
      float[] bias,
      int n,
      int c,
      int h,
      int wd,
      int m,
      int g,
      int kh,
      int kw,
      int sh,
      int sw,
      int ph,
      int pw,
      int dh,
      int dw,
      int oh,
      int ow) {
    float[] y = new float[n * m * oh * ow];
    int cg = c / g;
    int mg = m / g;
    for (int b = 0; b < n; b++) {
      for (int mo = 0; mo < m; mo++) {
        int gi = mo / mg;
        for (int yo = 0; yo < oh; yo++) {
          for (int xo = 0; xo < ow; xo++) {
            float acc = 0.0f;
            for (int ci = 0; ci < cg; ci++) {
              for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++) {
                  int ih = yo * sh - ph + i * dh;
                  int iw = xo * sw - pw + j * dw;
                  float xv =
                      ih >= 0 && ih < h && iw >= 0 && iw < wd
                          ? x[((b * c + gi * cg + ci) * h + ih) * wd + iw]
                          : 0.0f;
                  acc = acc + w[((mo * cg + ci) * kh + i) * kw + j] * xv;
                }
              }
            }
            y[((b * m + mo) * oh + yo) * ow + xo] = bias == null ? acc : acc + bias[mo];
          }
        }
      }
    }
    return y;
  }

  /** Padding wider than the input puts a whole dilated kernel column outside it (row overrun). */
  @Example
  void conv_paddingWiderThanInput_equalsDirectSpecBits() {
    conv_fastThreaded_equalsDirectSpecBits(1, 1, 1, 1, 1, 1, 1, 3, 1, 2, 2, true, 0L);
    conv_fastThreaded_equalsDirectSpecBits(2, 1, 1, 3, 3, 1, 3, 3, 1, 2, 2, false, 18710L);
  }

  @Property(tries = 40)
  void conv_fastThreaded_equalsDirectSpecBits(
      @ForAll @IntRange(min = 1, max = 2) int n,
      @ForAll @IntRange(min = 1, max = 3) int g,
      @ForAll @IntRange(min = 1, max = 4) int cgIn,
      @ForAll @IntRange(min = 1, max = 5) int mgOut,
      @ForAll @IntRange(min = 1, max = 13) int h,
      @ForAll @IntRange(min = 1, max = 40) int wd,
      @ForAll @IntRange(min = 1, max = 3) int kh,
      @ForAll @IntRange(min = 1, max = 3) int kw,
      @ForAll @IntRange(min = 1, max = 2) int stride,
      @ForAll @IntRange(min = 0, max = 2) int pad,
      @ForAll @IntRange(min = 1, max = 2) int dil,
      @ForAll boolean withBias,
      @ForAll long seed) {
    int c = cgIn * g;
    int m = mgOut * g;
    int ekh = (kh - 1) * dil + 1;
    int ekw = (kw - 1) * dil + 1;
    Assume.that(h + 2 * pad >= ekh && wd + 2 * pad >= ekw); // the kernel must fit once
    int oh = (h + 2 * pad - ekh) / stride + 1;
    int ow = (wd + 2 * pad - ekw) / stride + 1;
    float[] x = values(n * c * h * wd, seed);
    float[] w = values(m * cgIn * kh * kw, seed + 7);
    float[] b = withBias ? values(m, seed + 9) : null;
    float[] want =
        convSpec(x, w, b, n, c, h, wd, m, g, kh, kw, stride, stride, pad, pad, dil, dil, oh, ow);
    long[] pads = {pad, pad, pad, pad};
    long[] st = {stride, stride};
    long[] di = {dil, dil};
    for (boolean fast : new boolean[] {true, false}) {
      for (int threads : new int[] {1, 3}) {
        Nd y =
            Conv.conv(
                Nd.floats(new int[] {n, c, h, wd}, x),
                Nd.floats(new int[] {m, cgIn, kh, kw}, w),
                b == null ? null : Nd.floats(new int[] {m}, b),
                null,
                st,
                pads,
                di,
                "NOTSET",
                g,
                ctx(fast, threads));
        assertSameBits(y.f, want);
      }
    }
  }

  @Property(tries = 40)
  void maxPool_vectorPath_equalsGeneralScalarPathBits(
      @ForAll @IntRange(min = 1, max = 3) int c,
      @ForAll @IntRange(min = 1, max = 40) int h,
      @ForAll @IntRange(min = 1, max = 70) int w,
      @ForAll @IntRange(min = 1, max = 3) int k,
      @ForAll @IntRange(min = 1, max = 3) int stride,
      @ForAll @IntRange(min = 0, max = 1) int pad,
      @ForAll long seed) {
    Assume.that(h + 2 * pad >= k && w + 2 * pad >= k && pad < k);
    Nd x = Nd.floats(new int[] {1, c, h, w}, values(c * h * w, seed));
    long[] ks = {k, k};
    long[] st = {stride, stride};
    long[] pads = {pad, pad, pad, pad};
    Nd fast =
        Conv.pool(x, true, ks, st, pads, null, "NOTSET", false, false, false, ctx(true, 3))[0];
    // With indices requested the general N-D path runs; its values must be the same bits.
    Nd general =
        Conv.pool(x, true, ks, st, pads, null, "NOTSET", false, false, true, ctx(false, 1))[0];
    assertSameBits(fast.f, general.f);
  }

  @Property(tries = 30)
  void matmulBatched_threadsDoNotChangeBits(
      @ForAll @IntRange(min = 1, max = 4) int batch,
      @ForAll @IntRange(min = 1, max = 9) int m,
      @ForAll @IntRange(min = 1, max = 70) int n,
      @ForAll @IntRange(min = 1, max = 300) int k,
      @ForAll long seed) {
    Nd a = Nd.floats(new int[] {batch, m, k}, values(batch * m * k, seed));
    Nd b = Nd.floats(new int[] {k, n}, values(k * n, seed + 3));
    Nd ref = MatOps.matmul(a, b, ctx(false, 1));
    Nd fast = MatOps.matmul(a, b, ctx(true, 3));
    assertSameBits(fast.f, ref.f);
  }
}
