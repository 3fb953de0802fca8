package dev.verity.llm.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.core.Bytes;
import dev.verity.engine.ModelLoadException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class GgufFileTest {
  private static byte[] small() {
    float[] a = new float[64];
    float[] b = new float[3 * 32];
    for (int i = 0; i < a.length; i++) {
      a[i] = i * 0.5f - 7f;
    }
    for (int i = 0; i < b.length; i++) {
      b[i] = (float) Math.sin(i);
    }
    return new GgufWriter()
        .string("general.architecture", "llama")
        .u32("llama.block_count", 1)
        .f32("some.float", 1.5f)
        .stringArray("tokenizer.ggml.tokens", List.of("a", "\u2581b", "<0x0A>"))
        .floatArray("tokenizer.ggml.scores", new float[] {0f, -1f, -2f})
        .tensor("t.f32", GgmlType.F32, new long[] {64}, a)
        .tensor("t.q8", GgmlType.Q8_0, new long[] {32, 3}, b)
        .tensor("t.f16", GgmlType.F16, new long[] {32, 3}, b)
        .toBytes();
  }

  @Test
  void parse_writtenFile_readsMetadataAndTensors() throws Exception {
    try (GgufFile g = GgufFile.parse(small())) {
      assertThat(g.version()).isEqualTo(3);
      assertThat(g.string("general.architecture")).isEqualTo("llama");
      assertThat(g.requireInteger("llama.block_count")).isEqualTo(1);
      assertThat(g.real("some.float", 0)).isEqualTo(1.5);
      assertThat((List<Object>) List.copyOf(g.array("tokenizer.ggml.tokens")))
          .containsExactly(
              Bytes.copyOf("a".getBytes()),
              Bytes.copyOf("\u2581b".getBytes(java.nio.charset.StandardCharsets.UTF_8)),
              Bytes.copyOf("<0x0A>".getBytes()));
      assertThat(g.tensors().keySet()).containsExactly("t.f32", "t.q8", "t.f16");
      GgufTensor q8 = g.tensors().get("t.q8");
      assertThat(q8.dims()).containsExactly(32L, 3L);
      assertThat(q8.rowCount()).isEqualTo(3);
      assertThat(q8.bytes()).isEqualTo(3 * 34);
      assertThat(q8.offset() % 32).isZero();
      float[] row = new float[64];
      g.readRow(g.tensors().get("t.f32"), 0, row);
      assertThat(row[10]).isEqualTo(-2f);
      float[] r = new float[32];
      g.readRow(g.tensors().get("t.f16"), 2, r);
      assertThat(r[5]).isEqualTo(Float.float16ToFloat(Float.floatToFloat16((float) Math.sin(69))));
    }
  }

  @Test
  void parse_badMagic_throws() {
    byte[] f = small();
    f[0] = 'X';
    assertThatThrownBy(() -> GgufFile.parse(f))
        .isInstanceOf(GgufFormatException.class)
        .hasMessageContaining("not a GGUF file");
  }

  @Test
  void parse_version1_throws() {
    byte[] f = small();
    putInt(f, 4, 1);
    assertThatThrownBy(() -> GgufFile.parse(f)).hasMessageContaining("unsupported GGUF version 1");
  }

  @Test
  void parse_hugeTensorCount_throwsNamingLimit() {
    byte[] f = small();
    putLong(f, 8, 1L << 40);
    assertThatThrownBy(() -> GgufFile.parse(f)).hasMessageContaining("tensor count");
  }

  @Test
  void parse_hugeMetadataCount_throwsNamingLimit() {
    byte[] f = small();
    putLong(f, 16, -1L);
    assertThatThrownBy(() -> GgufFile.parse(f)).hasMessageContaining("metadata count");
  }

  @Test
  void parse_stringLengthBeyondLimit_throws() {
    byte[] f = small();
    putLong(f, 24, 1L << 33); // length of the first key
    assertThatThrownBy(() -> GgufFile.parse(f))
        .isInstanceOf(GgufFormatException.class)
        .hasMessageContaining("over the limit");
  }

  @Test
  void parse_stringPastEndOfFile_throws() {
    byte[] f = small();
    putLong(f, 24, 1000000); // within the limit, beyond the file
    assertThatThrownBy(() -> GgufFile.parse(f))
        .isInstanceOf(GgufFormatException.class)
        .hasMessageContaining("file ends");
  }

  @Test
  void parse_duplicateKey_throws() {
    byte[] f = new GgufWriter().u32("a.b", 1).u32("a.c", 2).toBytes();
    byte[] dup = GgufLlamaTest.replace(f, "a.c", "a.b");
    assertThatThrownBy(() -> GgufFile.parse(dup)).hasMessageContaining("'a.b' appears twice");
  }

  @Test
  void parse_unsupportedTensorType_throwsNamingTensor() {
    byte[] f = small();
    int at = indexOf(f, "t.q8") + 4 + 16; // after the name: n_dims, two dims
    putInt(f, at, 2); // Q4_0
    assertThatThrownBy(() -> GgufFile.parse(f))
        .hasMessageContaining("'t.q8'")
        .hasMessageContaining("ggml type 2");
  }

  @Test
  void parse_misalignedOffset_throws() {
    byte[] f = small();
    int at = indexOf(f, "t.q8") + 4 + 16 + 4;
    putLong(f, at, 3);
    assertThatThrownBy(() -> GgufFile.parse(f))
        .hasMessageContaining("not a multiple of the alignment");
  }

  @Test
  void parse_offsetOutsideFile_throws() {
    byte[] f = small();
    int at = indexOf(f, "t.q8") + 4 + 16 + 4;
    putLong(f, at, 1L << 20);
    assertThatThrownBy(() -> GgufFile.parse(f)).hasMessageContaining("outside the file");
  }

  @Test
  void parse_truncatedData_throws() {
    byte[] f = small();
    byte[] cut = Arrays.copyOf(f, f.length - 40);
    assertThatThrownBy(() -> GgufFile.parse(cut)).hasMessageContaining("outside the file");
  }

  @Test
  void parse_q8RowNotMultipleOf32_throws() {
    byte[] f = small();
    int at = indexOf(f, "t.q8") + 4;
    putLong(f, at, 31);
    assertThatThrownBy(() -> GgufFile.parse(f)).hasMessageContaining("not a multiple of 32");
  }

  @Test
  void parse_zeroDimension_throws() {
    byte[] f = small();
    putLong(f, indexOf(f, "t.f32") + 4, 0);
    assertThatThrownBy(() -> GgufFile.parse(f)).hasMessageContaining("invalid dimension");
  }

  /** Any corruption of a valid file parses or fails with GgufFormatException, nothing else. */
  @Property(tries = 400)
  void parse_corruptedBytes_failsOnlyWithFormatException(
      @ForAll("positions") List<Integer> positions,
      @ForAll("values") List<Byte> values,
      @ForAll @IntRange(min = 0, max = 3000) int truncate) {
    byte[] f = small();
    for (int i = 0; i < Math.min(positions.size(), values.size()); i++) {
      f[positions.get(i) % f.length] = values.get(i);
    }
    if (truncate < f.length && truncate % 3 == 0) {
      f = Arrays.copyOf(f, truncate);
    }
    try (GgufFile g = GgufFile.parse(f)) {
      float[] row = new float[1 << 12];
      for (GgufTensor t : g.tensors().values()) {
        if (t.rowLength() <= row.length) {
          g.readRow(t, t.rowCount() - 1, row);
        }
      }
      GgufLlama.load(g, 1L << 30);
    } catch (ModelLoadException expected) {
      assertThat(expected.getMessage()).isNotBlank();
    }
  }

  /** Random bytes after a valid magic and version never escape as another exception. */
  @Property(tries = 300)
  void parse_randomBody_failsOnlyWithFormatException(@ForAll("bodies") byte[] body) {
    byte[] f = new byte[8 + body.length];
    putInt(f, 0, GgufFile.MAGIC);
    putInt(f, 4, 3);
    System.arraycopy(body, 0, f, 8, body.length);
    try (GgufFile g = GgufFile.parse(f)) {
      assertThat(g.tensors().size()).isLessThanOrEqualTo(GgufFile.MAX_TENSORS);
    } catch (GgufFormatException expected) {
      assertThat(expected.getMessage()).isNotBlank();
    }
  }

  @Provide
  Arbitrary<List<Integer>> positions() {
    return Arbitraries.integers().between(0, 4000).list().ofMinSize(1).ofMaxSize(6);
  }

  @Provide
  Arbitrary<List<Byte>> values() {
    return Arbitraries.of(
            (byte) 0, (byte) 1, (byte) 0x7f, (byte) 0x80, (byte) 0xff, (byte) 9, (byte) 32)
        .list()
        .ofMinSize(1)
        .ofMaxSize(6);
  }

  @Provide
  Arbitrary<byte[]> bodies() {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
  }

  private static void putInt(byte[] f, int at, int v) {
    ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).putInt(at, v);
  }

  private static void putLong(byte[] f, int at, long v) {
    ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).putLong(at, v);
  }

  private static int indexOf(byte[] f, String s) {
    byte[] n = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    outer:
    for (int i = 0; i + n.length <= f.length; i++) {
      for (int j = 0; j < n.length; j++) {
        if (f[i + j] != n[j]) {
          continue outer;
        }
      }
      return i + n.length;
    }
    throw new AssertionError(s);
  }
}
