package dev.verity.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TensorTest {
  @Test
  void ofFloats_storesLittleEndian() {
    Tensor t = Tensor.ofFloats(new long[] {1}, new float[] {1.0f});
    assertThat(t.data()).containsExactly(0x00, 0x00, (byte) 0x80, 0x3f);
    assertThat(t.toFloats()).containsExactly(1.0f);
  }

  @Test
  void constructor_wrongByteCount_namesShapeAndSize() {
    assertThatThrownBy(() -> Tensor.ofBytes(DataType.FLOAT32, new long[] {2, 2}, new byte[12]))
        .hasMessageContaining("[2, 2]")
        .hasMessageContaining("needs 16 bytes, got 12");
  }
}
