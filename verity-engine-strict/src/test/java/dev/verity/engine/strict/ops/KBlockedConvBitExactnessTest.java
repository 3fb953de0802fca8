package dev.verity.engine.strict.ops;

import static dev.verity.engine.strict.ops.FastPathBitExactnessTest.assertSameBits;
import static dev.verity.engine.strict.ops.FastPathBitExactnessTest.convSpec;
import static dev.verity.engine.strict.ops.FastPathBitExactnessTest.values;

import dev.verity.engine.EngineLimits;
import java.util.concurrent.ForkJoinPool;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Convolutions with long reductions (K = C·KH·KW over the GEMM's k block) on the output-position
 * panel path: the k-blocked kernel resumes each output's float32 running sum between blocks, so the
 * bits must equal the direct spec convolution, with bias and fused BN+Relu, at 1 and 3 threads.
 */
class KBlockedConvBitExactnessTest {
  private static final ForkJoinPool POOL = new ForkJoinPool(3);

  @AfterContainer
  static void shutdown() {
    POOL.shutdown();
  }

  private static ExecContext ctx(int threads) {
    return new ExecContext(
        EngineLimits.DEFAULT,
        System.nanoTime() + 60_000_000_000L,
        threads > 1 ? POOL : null,
        threads,
        true);
  }

  @Property(tries = 25)
  void longReductionConv_kBlocked_equalsDirectSpecBits(
      @ForAll @IntRange(min = 15, max = 70) int c,
      @ForAll @IntRange(min = 1, max = 9) int m,
      @ForAll @IntRange(min = 3, max = 20) int h,
      @ForAll @IntRange(min = 3, max = 20) int wd,
      @ForAll @IntRange(min = 1, max = 2) int stride,
      @ForAll boolean withBias,
      @ForAll boolean withEpilogue,
      @ForAll long seed) {
    int k = 3;
    int pad = 1;
    int oh = (h + 2 * pad - k) / stride + 1;
    int ow = (wd + 2 * pad - k) / stride + 1;
    float[] x = values(c * h * wd, seed);
    float[] w = values(m * c * k * k, seed + 7);
    float[] b = withBias ? values(m, seed + 9) : null;
    float[] want =
        convSpec(x, w, b, 1, c, h, wd, m, 1, k, k, stride, stride, pad, pad, 1, 1, oh, ow);
    Epilogue ep = null;
    if (withEpilogue) {
      float[] scale = values(m, seed + 11);
      float[] shift = values(m, seed + 13);
      ep = new Epilogue(scale, shift, true);
      for (int i = 0; i < want.length; i++) {
        int ch = (i / (oh * ow)) % m;
        want[i] = Math.max(want[i] * scale[ch] + shift[ch], 0.0f);
      }
    }
    for (int threads : new int[] {1, 3}) {
      Nd y =
          Conv.conv(
              Nd.floats(new int[] {1, c, h, wd}, x),
              Nd.floats(new int[] {m, c, k, k}, w),
              b == null ? null : Nd.floats(new int[] {m}, b),
              null,
              new long[] {stride, stride},
              new long[] {pad, pad, pad, pad},
              null,
              "NOTSET",
              1,
              ep,
              ctx(threads));
      assertSameBits(y.f, want);
    }
  }
}
