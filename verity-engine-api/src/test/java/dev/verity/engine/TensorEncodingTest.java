package dev.verity.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.core.Digest;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TensorEncodingTest {
  @Test
  void encode_floatTensor_matchesGoldenBytes() {
    Tensor t = Tensor.ofFloats(new long[] {2}, new float[] {1.0f, -0.0f});
    assertThat(dev.verity.core.Bytes.copyOf(TensorEncoding.encode(t)).toHex())
        .isEqualTo("5654454e" + "01" + "01" + "01" + "0200000000000000" + "0000803f" + "00000080");
    assertThat(t.digest()).isEqualTo(Digest.of(TensorEncoding.encode(t)));
  }

  @Test
  void headerAndLeafPrefix_followedByElementBytes_areTheFullEncodings() {
    Tensor t = Tensor.ofLongs(new long[] {1, 3}, new long[] {1, -2, 3});
    byte[] data = new byte[t.buffer().remaining()];
    t.buffer().get(data);
    assertThat(concat(TensorEncoding.header(t.type(), t.shape()), data))
        .isEqualTo(TensorEncoding.encode(t));
    assertThat(concat(TraceOpening.leafPrefix(5, 2, "node", "out", t.type(), t.shape()), data))
        .isEqualTo(TraceOpening.leafBytes(5, 2, "node", "out", t));
    assertThatThrownBy(() -> TensorEncoding.header(DataType.FLOAT32, new long[256]))
        .hasMessageContaining("rank 256 exceeds 255");
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void decode_roundTripsAndRejectsTruncation() {
    Tensor t = Tensor.ofLongs(new long[] {1, 3}, new long[] {1, -2, 3});
    byte[] enc = TensorEncoding.encode(t);
    assertThat(TensorEncoding.decode(enc)).isEqualTo(t);
    byte[] cut = java.util.Arrays.copyOf(enc, enc.length - 1);
    assertThatThrownBy(() -> TensorEncoding.decode(cut)).hasMessageContaining("data bytes");
  }

  @Test
  void mapDigest_ignoresInsertionOrder_andDependsOnNames() {
    Tensor a = Tensor.ofFloats(new long[] {1}, new float[] {1f});
    Tensor b = Tensor.ofFloats(new long[] {1}, new float[] {2f});
    Map<String, Tensor> m1 = new LinkedHashMap<>();
    m1.put("x", a);
    m1.put("y", b);
    Map<String, Tensor> m2 = new LinkedHashMap<>();
    m2.put("y", b);
    m2.put("x", a);
    assertThat(TensorEncoding.digest(m1)).isEqualTo(TensorEncoding.digest(m2));
    assertThat(TensorEncoding.digest(Map.of("x", b, "y", a)))
        .isNotEqualTo(TensorEncoding.digest(m1));
    assertThat(TensorEncoding.digest(Map.of("x", a)).toString())
        .isEqualTo(
            "sha256:"
                + Digest.of(
                        dev.verity.core.Bytes.fromHex(
                                "56544d50"
                                    + "01"
                                    + "01000000"
                                    + "01000000"
                                    + "78"
                                    + "1300000000000000"
                                    + "5654454e010101"
                                    + "0100000000000000"
                                    + "0000803f")
                            .toByteArray())
                    .hex());
  }

  @Test
  void encodeMap_isTheBytesTheMapDigestHashes_andRoundTrips() {
    Tensor a = Tensor.ofFloats(new long[] {1}, new float[] {1f});
    Tensor b = Tensor.ofLongs(new long[] {2}, new long[] {7, -1});
    byte[] one = TensorEncoding.encodeMap(Map.of("x", a));
    assertThat(dev.verity.core.Bytes.copyOf(one).toHex())
        .isEqualTo(
            "56544d50"
                + "01"
                + "01000000"
                + "01000000"
                + "78"
                + "1300000000000000"
                + "5654454e010101"
                + "0100000000000000"
                + "0000803f");
    Map<String, Tensor> m = new LinkedHashMap<>();
    m.put("y", b);
    m.put("x", a);
    m.put("é", a);
    byte[] enc = TensorEncoding.encodeMap(m);
    assertThat(Digest.of(enc)).isEqualTo(TensorEncoding.digest(m));
    assertThat(TensorEncoding.decodeMap(enc)).isEqualTo(m);
    assertThat(TensorEncoding.decodeMap(TensorEncoding.encodeMap(Map.of()))).isEmpty();
  }

  @Test
  void decodeMap_rejectsDamage_namingIt() {
    Tensor a = Tensor.ofFloats(new long[] {1}, new float[] {1f});
    byte[] enc = TensorEncoding.encodeMap(Map.of("x", a, "y", a));
    assertThatThrownBy(() -> TensorEncoding.decodeMap(java.util.Arrays.copyOf(enc, 5)))
        .hasMessageContaining("too short");
    byte[] magic = enc.clone();
    magic[3] = 'Q';
    assertThatThrownBy(() -> TensorEncoding.decodeMap(magic)).hasMessageContaining("VTMP");
    assertThatThrownBy(() -> TensorEncoding.decodeMap(java.util.Arrays.copyOf(enc, enc.length - 1)))
        .hasMessageContaining("claims");
    assertThatThrownBy(() -> TensorEncoding.decodeMap(concat(enc, new byte[] {0})))
        .hasMessageContaining("1 bytes after its last entry");
    // Names must come in byte order: swap "x" and "y".
    byte[] swapped = enc.clone();
    int first = 13;
    int second = 13 + 1 + 8 + 19 + 4;
    assertThat(swapped[first]).isEqualTo((byte) 'x');
    assertThat(swapped[second]).isEqualTo((byte) 'y');
    swapped[first] = 'y';
    swapped[second] = 'x';
    assertThatThrownBy(() -> TensorEncoding.decodeMap(swapped))
        .hasMessageContaining("entry 1 is out of order");
    byte[] count = enc.clone();
    count[5] = 3;
    assertThatThrownBy(() -> TensorEncoding.decodeMap(count))
        .hasMessageContaining("truncated at entry 2");
  }
}
