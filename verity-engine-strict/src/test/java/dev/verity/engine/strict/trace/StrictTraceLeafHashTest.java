package dev.verity.engine.strict.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.core.Digest;
import dev.verity.engine.DataType;
import dev.verity.engine.TraceMerkle;
import dev.verity.engine.TraceOpening;
import dev.verity.engine.strict.ops.Nd;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The streamed leaf hash against the reference: SHA-256 over {@link TraceOpening#leafBytes} of
 * {@link Nd#toTensor}, for every element representation, NaN forms and chunk boundaries.
 */
class StrictTraceLeafHashTest {
  /** Crosses the hasher's chunk boundaries for every element width. */
  private static final int N = 8192 * 2 + 7;

  private static Digest reference(long index, int node, String name, String out, Nd v) {
    return TraceMerkle.leafHash(TraceOpening.leafBytes(index, node, name, out, v.toTensor()));
  }

  private static void assertSameAsReference(Nd v) {
    assertThat(StrictTrace.leafHash(41, 7, "node/ü", "out:0", v))
        .as(v.toString())
        .isEqualTo(reference(41, 7, "node/ü", "out:0", v));
  }

  @Test
  void floats_withNaNPayloadsAndSignedNaN_hashAsCanonicalEncoding() {
    float[] f = new float[N];
    for (int i = 0; i < N; i++) {
      f[i] = (i - N / 2) * 0.37f;
    }
    f[3] = Float.intBitsToFloat(0x7fa00001); // signalling-style payload
    f[2048] = Float.intBitsToFloat(0xffc00000); // x86's default NaN (sign set)
    f[N - 1] = Float.NaN;
    f[100] = -0.0f;
    f[101] = Float.NEGATIVE_INFINITY;
    Nd v = Nd.floats(new int[] {1, N}, f);
    assertSameAsReference(v);
    // The canonical form matters: hashing raw bits would give another leaf.
    assertThat(Float.floatToRawIntBits(f[3])).isNotEqualTo(Float.floatToIntBits(f[3]));
  }

  @Test
  void doubles_int64_int32_int16_int8_bool_andScalars_hashAsCanonicalEncoding() {
    double[] d = new double[N];
    long[] l = new long[N];
    for (int i = 0; i < N; i++) {
      d[i] = (i - 5) / 3.0;
      l[i] = (long) i * 0x9E3779B97F4A7C15L;
    }
    d[9] = Double.longBitsToDouble(0xfff0000000000123L);
    assertSameAsReference(Nd.doubles(new int[] {N}, d));
    assertSameAsReference(Nd.longs(DataType.INT64, new int[] {N}, l.clone()));
    for (DataType t :
        List.of(
            DataType.INT32,
            DataType.UINT32,
            DataType.INT16,
            DataType.UINT16,
            DataType.INT8,
            DataType.UINT8,
            DataType.BOOL)) {
      long[] w = new long[N];
      for (int i = 0; i < N; i++) {
        w[i] = Nd.wrap(t, l[i]);
      }
      assertSameAsReference(Nd.longs(t, new int[] {1, N}, w));
    }
    assertSameAsReference(Nd.floats(new int[] {}, new float[] {2.5f}));
    assertSameAsReference(Nd.floats(new int[] {0, 3}, new float[0]));
  }

  @Test
  void leafFields_changeTheHash() {
    Nd v = Nd.floats(new int[] {2}, new float[] {1, 2});
    Digest h = StrictTrace.leafHash(0, 0, "n", "o", v);
    assertThat(StrictTrace.leafHash(1, 0, "n", "o", v)).isNotEqualTo(h);
    assertThat(StrictTrace.leafHash(0, 1, "n", "o", v)).isNotEqualTo(h);
    assertThat(StrictTrace.leafHash(0, 0, "m", "o", v)).isNotEqualTo(h);
    assertThat(StrictTrace.leafHash(0, 0, "n", "p", v)).isNotEqualTo(h);
    assertThat(StrictTrace.leafHash(0, 0, "n", "o", v.reshape(new int[] {1, 2}))).isNotEqualTo(h);
  }

  @Test
  void rootOnlyBuilder_matchesOpenableBuilder_butCannotOpen() {
    StrictTrace.Builder openable = new StrictTrace.Builder(true);
    StrictTrace.Builder rootOnly = new StrictTrace.Builder(false);
    for (int i = 0; i < 5; i++) {
      Nd v = Nd.floats(new int[] {3}, new float[] {i, -i, i * 0.5f});
      openable.add(i, "n" + i, "v" + i, v);
      rootOnly.add(i, "n" + i, "v" + i, v);
    }
    StrictTrace a = openable.build();
    StrictTrace b = rootOnly.build();
    assertThat(b.root()).isEqualTo(a.root());
    assertThat(b.leafCount()).isEqualTo(5);
    assertThat(b.indexOf("v3")).isEqualTo(3);
    for (int i = 0; i < 5; i++) {
      assertThat(b.leafHash(i)).isEqualTo(a.leafHash(i));
      assertThat(a.leafHash(i))
          .isEqualTo(TraceMerkle.leafHash(a.open(i).leafBytes().toByteArray()));
    }
    assertThat(b.openable()).isFalse();
    assertThatThrownBy(() -> b.open(0))
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("WITH_TRACE");
  }
}
