package dev.verity.receipt.eth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.core.Bytes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Our Keccak-256 against pinned vectors and against BouncyCastle's KeccakDigest. */
class KeccakTest {
  private static final HexFormat HEX = HexFormat.of();

  static byte[] pattern(int length) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = (byte) (7 * i + 3);
    }
    return b;
  }

  @Test
  void keccak256_empty_matchesEthereumVector() {
    assertThat(HEX.formatHex(Keccak.keccak256(new byte[0])))
        .isEqualTo("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    assertThat(HEX.formatHex(Keccak.keccak256()))
        .isEqualTo("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
  }

  @Test
  void keccak256_abc_matchesEthereumVector() {
    assertThat(Keccak.keccak256(Bytes.utf8("abc")).toHex())
        .isEqualTo("4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
  }

  @Test
  void keccak256_isNotSha3_256() throws Exception {
    MessageDigest sha3 = MessageDigest.getInstance("SHA3-256");
    byte[] sha3Empty = sha3.digest(new byte[0]);
    assertThat(HEX.formatHex(sha3Empty))
        .isEqualTo("a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a");
    assertThat(Keccak.keccak256(new byte[0])).isNotEqualTo(sha3Empty);
    for (int length : new int[] {3, 135, 136}) {
      byte[] data = pattern(length);
      assertThat(Keccak.keccak256(data)).isNotEqualTo(sha3.digest(data));
    }
  }

  // Around the 136-byte block: the one-byte 0x81 pad (135), a whole padding block (136), a pad
  // that starts a block (137), two full blocks (272) and longer inputs.
  @ParameterizedTest
  @ValueSource(
      ints = {1, 7, 8, 9, 31, 32, 33, 64, 66, 134, 135, 136, 137, 271, 272, 273, 480, 1000})
  void keccak256_lengthsAroundTheBlock_matchBouncyCastle(int length) {
    byte[] data = pattern(length);
    assertThat(HEX.formatHex(Keccak.keccak256(data)))
        .isEqualTo(HEX.formatHex(BouncyCastleEip712.keccak256(data)));
  }

  @Test
  void keccak256_multiBlockInput_matchesBouncyCastle() {
    byte[] data = pattern(136 * 37 + 11);
    assertThat(Keccak.keccak256(data)).isEqualTo(BouncyCastleEip712.keccak256(data));
  }

  @Test
  void permute_zeroState_matchesKeccakTeamIntermediateValues() {
    long[] state = new long[25];
    Keccak.permute(state);
    assertThat(Arrays.copyOf(state, 4))
        .containsExactly(
            0xF1258F7940E1DDE7L, 0x84D5CCF933C0478AL, 0xD598261EA65AA9EEL, 0xBD1547306F80494DL);
  }

  @Test
  void keccak256_intoBuffer_hashesOnlyTheRange_andWritesOnlyTheDigest() {
    byte[] data = pattern(300);
    byte[] out = new byte[40];
    Arrays.fill(out, (byte) 0x5a);
    Keccak.keccak256(data, 10, 200, out, 4);
    assertThat(Arrays.copyOfRange(out, 4, 36))
        .isEqualTo(BouncyCastleEip712.keccak256(Arrays.copyOfRange(data, 10, 210)));
    for (int i : new int[] {0, 1, 2, 3, 36, 37, 38, 39}) {
      assertThat(out[i]).isEqualTo((byte) 0x5a);
    }
  }

  @Test
  void keccak256_intoBuffer_rangeOutsideArrays_throws() {
    assertThatThrownBy(() -> Keccak.keccak256(new byte[10], 5, 6, new byte[32], 0))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> Keccak.keccak256(new byte[10], 0, 10, new byte[40], 9))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> Keccak.keccak256(new byte[10], -1, 2, new byte[32], 0))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Property(tries = 500)
  void keccak256_splitIntoParts_matchesBouncyCastleOnTheWhole(
      @ForAll @Size(max = 1000) byte[] data, @ForAll long splitSeed) {
    // Split at random points, parts of length 0 included.
    Random r = new Random(splitSeed);
    List<byte[]> parts = new ArrayList<>();
    int from = 0;
    while (from < data.length) {
      int to = from + r.nextInt(Math.min(data.length - from, 300) + 1);
      parts.add(Arrays.copyOfRange(data, from, to));
      if (r.nextInt(8) == 0) {
        parts.add(new byte[0]);
      }
      from = to;
    }
    byte[] expected = BouncyCastleEip712.keccak256(data);
    assertThat(Keccak.keccak256(parts.toArray(byte[][]::new))).isEqualTo(expected);
    assertThat(Keccak.keccak256(data)).isEqualTo(expected);
  }

  @Property(tries = 300)
  void keccak256_intoBuffer_matchesBouncyCastle(
      @ForAll @IntRange(min = 0, max = 1000) int length,
      @ForAll @IntRange(min = 0, max = 20) int offset,
      @ForAll long seed) {
    byte[] data = new byte[offset + length + 3];
    new Random(seed).nextBytes(data);
    byte[] out = new byte[32 + offset];
    Keccak.keccak256(data, offset, length, out, offset);
    assertThat(Arrays.copyOfRange(out, offset, offset + 32))
        .isEqualTo(BouncyCastleEip712.keccak256(Arrays.copyOfRange(data, offset, offset + length)));
  }

  @Test
  void keccak256_bytesValue_matchesArrayVersion() {
    byte[] data = "verity".getBytes(StandardCharsets.UTF_8);
    assertThat(Keccak.keccak256(Bytes.copyOf(data)).toByteArray())
        .isEqualTo(Keccak.keccak256(data));
  }
}
