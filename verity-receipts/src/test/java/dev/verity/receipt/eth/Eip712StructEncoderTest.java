package dev.verity.receipt.eth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.core.Bytes;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

/** The struct encoder writes exactly typeHash || encodeData and hashes it with Keccak-256. */
class Eip712StructEncoderTest {
  private static final Bytes TYPEHASH = Eip712.typeHash("T(bytes32 a,uint64 b,address c,string d)");

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  @Property(tries = 300)
  void struct_everyMemberKind_hashesTheConcatenatedWords(
      @ForAll byte[] seed, @ForAll long b, @ForAll @StringLength(max = 200) String d) {
    Bytes a = Bytes.copyOf(Arrays.copyOf(seed, 32));
    EthAddress c =
        new EthAddress(
            Bytes.copyOf(Arrays.copyOfRange(BouncyCastleEip712.keccak256(seed), 12, 32)));
    byte[] addressWord = concat(new byte[12], c.value().toByteArray());
    byte[] uintWord = new byte[32];
    for (int i = 0; i < 8; i++) {
      uintWord[31 - i] = (byte) (b >>> (8 * i));
    }
    byte[] stringWord = BouncyCastleEip712.keccak256(d.getBytes(StandardCharsets.UTF_8));
    byte[] expected =
        BouncyCastleEip712.keccak256(
            TYPEHASH.toByteArray(), a.toByteArray(), uintWord, addressWord, stringWord, uintWord);

    Bytes viaEncoder =
        Eip712.struct(TYPEHASH, 5).bytes32(a).uint(b).address(c).string(d).word(uintWord).hash();
    Bytes viaWords =
        Eip712.hashStruct(
            TYPEHASH,
            Eip712.bytes32(a),
            Eip712.uint(b),
            Eip712.address(c),
            Eip712.string(d),
            uintWord);
    assertThat(viaEncoder.toByteArray()).isEqualTo(expected);
    assertThat(viaWords.toByteArray()).isEqualTo(expected);
  }

  @Test
  void digest_ofEncoder_equalsDigestOfStructHash_andTheSpelledOutMessage() {
    Bytes separator =
        Bytes.copyOf(BouncyCastleEip712.keccak256("separator".getBytes(StandardCharsets.UTF_8)));
    Eip712.StructEncoder s = Eip712.struct(TYPEHASH, 1).uint(42);
    Bytes structHash = s.hash();
    byte[] expected =
        BouncyCastleEip712.keccak256(
            new byte[] {0x19, 0x01}, separator.toByteArray(), structHash.toByteArray());
    assertThat(Eip712.digest(separator, s).toByteArray()).isEqualTo(expected);
    assertThat(Eip712.digest(separator, structHash).toByteArray()).isEqualTo(expected);
  }

  @Test
  void struct_tooFewMembers_throwsNamingTheCounts() {
    Eip712.StructEncoder s = Eip712.struct(TYPEHASH, 3).uint(1);
    assertThatThrownBy(s::hash)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("struct has 3 members but only 1 were added");
  }

  @Test
  void struct_tooManyMembers_throws() {
    Eip712.StructEncoder s = Eip712.struct(TYPEHASH, 1).uint(1);
    assertThatThrownBy(() -> s.uint(2))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no room for another");
  }

  @Test
  void struct_memberNotOneWord_throws() {
    assertThatThrownBy(() -> Eip712.struct(TYPEHASH, 2).uint(1).word(new byte[31]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("member 1 is not one 32-byte word (31 bytes)");
    assertThatThrownBy(() -> Eip712.struct(TYPEHASH, 1).bytes32(Bytes.copyOf(new byte[33])))
        .hasMessageContaining("bytes32 needs 32 bytes, got 33");
    assertThatThrownBy(() -> Eip712.hashStruct(TYPEHASH, new byte[32], new byte[3]))
        .hasMessageContaining("member 1 is not one 32-byte word");
  }

  @Test
  void digest_separatorNotOneWord_throws() {
    assertThatThrownBy(() -> Eip712.digest(Bytes.copyOf(new byte[31]), Bytes.copyOf(new byte[32])))
        .hasMessageContaining("bytes32 needs 32 bytes, got 31");
  }
}
