package dev.verity.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BytesTest {
  @Test
  void copyTo_writesAtOffset_andLeavesTheRestAlone() {
    Bytes b = Bytes.fromHex("0102030405");
    byte[] dest = new byte[8];
    dest[7] = 9;
    b.copyTo(dest, 2);
    assertThat(dest).containsExactly(0, 0, 1, 2, 3, 4, 5, 9);
  }

  @Test
  void copyTo_laterChangeToTheBuffer_doesNotChangeTheBytes() {
    Bytes b = Bytes.fromHex("aabb");
    byte[] dest = new byte[2];
    b.copyTo(dest, 0);
    dest[0] = 0;
    assertThat(b.toHex()).isEqualTo("aabb");
  }

  @Test
  void copyTo_doesNotFit_throws() {
    Bytes b = Bytes.fromHex("010203");
    assertThatThrownBy(() -> b.copyTo(new byte[4], 2))
        .isInstanceOf(IndexOutOfBoundsException.class)
        .hasMessageContaining("out of bounds for length 4");
    assertThatThrownBy(() -> b.copyTo(new byte[4], -1))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }
}
