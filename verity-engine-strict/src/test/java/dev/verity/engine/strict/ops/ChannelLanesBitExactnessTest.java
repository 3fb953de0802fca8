package dev.verity.engine.strict.ops;

import static dev.verity.engine.strict.ops.FastPathBitExactnessTest.assertSameBits;
import static dev.verity.engine.strict.ops.FastPathBitExactnessTest.convSpec;
import static dev.verity.engine.strict.ops.FastPathBitExactnessTest.values;
import static org.assertj.core.api.Assertions.assertThat;

import dev.verity.engine.EngineLimits;
import java.util.concurrent.ForkJoinPool;
import jdk.incubator.vector.FloatVector;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * The channel-lane convolution (lanes across output channels, used for small spatial maps) gives
 * exactly the documented order's bits, with and without bias and fused epilogue, at 1 and 3
 * threads, including channel counts that leave a partial channel panel.
 */
class ChannelLanesBitExactnessTest {
  private static final int NR = 2 * FloatVector.SPECIES_PREFERRED.length();
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

  @Property(tries = 30)
  void smallMapConv_channelLanes_equalsDirectSpecBits(
      @ForAll @IntRange(min = 1, max = 2) int g,
      @ForAll @IntRange(min = 1, max = 20) int cgIn,
      @ForAll @IntRange(min = 0, max = 40) int extraChannels,
      @ForAll @IntRange(min = 1, max = 14) int h,
      @ForAll @IntRange(min = 1, max = 14) int wd,
      @ForAll @IntRange(min = 1, max = 3) int k,
      @ForAll @IntRange(min = 1, max = 2) int stride,
      @ForAll @IntRange(min = 0, max = 1) int pad,
      @ForAll boolean withBias,
      @ForAll boolean withEpilogue,
      @ForAll long seed) {
    int n = 1 + (int) Math.floorMod(seed, 2L);
    int mgOut = NR + extraChannels;
    int c = cgIn * g;
    int m = mgOut * g;
    Assume.that(h + 2 * pad >= k && wd + 2 * pad >= k);
    int oh = (h + 2 * pad - k) / stride + 1;
    int ow = (wd + 2 * pad - k) / stride + 1;
    assertThat(ChannelLanes.suits(mgOut, oh * ow)).isTrue();
    float[] x = values(n * c * h * wd, seed);
    float[] w = values(m * cgIn * k * k, seed + 7);
    float[] b = withBias ? values(m, seed + 9) : null;
    float[] want =
        convSpec(x, w, b, n, c, h, wd, m, g, k, k, stride, stride, pad, pad, 1, 1, oh, ow);
    Epilogue ep = null;
    if (withEpilogue) {
      float[] scale = values(m, seed + 11);
      float[] shift = values(m, seed + 13);
      ep = new Epilogue(scale, shift, true);
      // The separate nodes' operations: BatchNormalization x * a + b, then Relu.
      for (int i = 0; i < want.length; i++) {
        int ch = (i / (oh * ow)) % m;
        want[i] = Math.max(want[i] * scale[ch] + shift[ch], 0.0f);
      }
    }
    for (int threads : new int[] {1, 3}) {
      Nd y =
          Conv.conv(
              Nd.floats(new int[] {n, c, h, wd}, x),
              Nd.floats(new int[] {m, cgIn, k, k}, w),
              b == null ? null : Nd.floats(new int[] {m}, b),
              null,
              new long[] {stride, stride},
              new long[] {pad, pad, pad, pad},
              null,
              "NOTSET",
              g,
              ep,
              ctx(threads));
      assertSameBits(y.f, want);
    }
    // A node's weights packed once and reused: the second run takes the kept packing.
    ChannelLanes.Prepared prepared = new ChannelLanes.Prepared();
    Nd wNd = Nd.floats(new int[] {m, cgIn, k, k}, w);
    for (int run = 0; run < 2; run++) {
      Nd y =
          Conv.conv(
              Nd.floats(new int[] {n, c, h, wd}, x),
              wNd,
              b == null ? null : Nd.floats(new int[] {m}, b),
              null,
              new long[] {stride, stride},
              new long[] {pad, pad, pad, pad},
              null,
              "NOTSET",
              g,
              ep,
              prepared,
              ctx(1 + 2 * run));
      assertSameBits(y.f, want);
    }
  }
}
