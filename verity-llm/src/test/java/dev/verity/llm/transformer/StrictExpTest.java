package dev.verity.llm.transformer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class StrictExpTest {
  private static void check(float[] in) {
    float[] v = in.clone();
    StrictExp.expInPlace(v, 0, v.length);
    for (int i = 0; i < in.length; i++) {
      float expected = (float) StrictMath.exp((double) in[i]);
      if (Float.floatToRawIntBits(v[i]) != Float.floatToRawIntBits(expected)) {
        throw new AssertionError(
            "exp("
                + in[i]
                + " = 0x"
                + Integer.toHexString(Float.floatToRawIntBits(in[i]))
                + ") gave "
                + v[i]
                + ", StrictMath gives "
                + expected);
      }
    }
  }

  @Test
  void matchesStrictMath_acrossTheWholeFloatRangeByStride() {
    // Every 251st bit pattern: about 17 million floats of every sign, exponent, NaN and infinity.
    float[] chunk = new float[1 << 16];
    int n = 0;
    for (long bits = 0; bits <= 0xFFFFFFFFL; bits += 251) {
      chunk[n++] = Float.intBitsToFloat((int) bits);
      if (n == chunk.length) {
        check(chunk);
        n = 0;
      }
    }
    check(java.util.Arrays.copyOf(chunk, n));
  }

  @Test
  void matchesStrictMath_denselyWhereSoftmaxAndSiluLive() {
    // Every float in [-2^-20, 2^-20] around the branch points and every 7th in [-40, 40].
    float[] chunk = new float[1 << 16];
    int n = 0;
    int lo = Float.floatToRawIntBits(0.25f);
    int hi = Float.floatToRawIntBits(1.2f);
    for (int sign = 0; sign < 2; sign++) {
      for (int b = lo; b <= hi; b += 3) {
        float f = Float.intBitsToFloat(b);
        chunk[n++] = sign == 0 ? f : -f;
        if (n == chunk.length) {
          check(chunk);
          n = 0;
        }
      }
    }
    check(java.util.Arrays.copyOf(chunk, n));
    float[] edges = {
      0f,
      -0f,
      0x1.0p-28f,
      -0x1.0p-28f,
      0x1.0p-29f,
      0.34657359f,
      -0.34657359f,
      1.0397207f,
      -1.0397207f,
      699.99f,
      -699.99f,
      700f,
      -700f,
      88.72f,
      88.73f,
      -103.9f,
      -104f,
      -87.33f,
      Float.NaN,
      Float.POSITIVE_INFINITY,
      Float.NEGATIVE_INFINITY,
      Float.MIN_VALUE,
      -Float.MAX_VALUE
    };
    check(edges);
  }

  @Property(tries = 300)
  void matchesStrictMath_randomArraysAndOffsets(@ForAll long seed) {
    Random r = new Random(seed);
    float[] a = new float[1 + r.nextInt(100)];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) (r.nextGaussian() * Math.scalb(1.0, r.nextInt(12) - 4));
    }
    int off = r.nextInt(a.length);
    float[] v = a.clone();
    StrictExp.expInPlace(v, off, a.length - off);
    for (int i = 0; i < a.length; i++) {
      float expected = i < off ? a[i] : (float) StrictMath.exp((double) a[i]);
      assertThat(Float.floatToRawIntBits(v[i])).isEqualTo(Float.floatToRawIntBits(expected));
    }
  }
}
