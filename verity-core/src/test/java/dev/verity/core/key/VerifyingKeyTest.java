package dev.verity.core.key;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.core.FormatException;
import dev.verity.core.SignatureVerificationException;
import org.junit.jupiter.api.Test;

class VerifyingKeyTest {
  private final VerifyingKey rfc = new VerifyingKey(SigningKeyTest.RFC_PUBLIC);

  @Test
  void toText_isPrefixedStandardBase64_andParsesBack() throws Exception {
    assertThat(rfc.toText()).isEqualTo("ed25519:11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
    assertThat(VerifyingKey.parse(rfc.toText())).isEqualTo(rfc);
  }

  @Test
  void keyId_isFirst16HexOfSha256OfRawKey() {
    String hex = Digest.of(SigningKeyTest.RFC_PUBLIC).hex();
    assertThat(rfc.keyId()).isEqualTo("ed25519:" + hex.substring(0, 16)).hasSize(8 + 16);
  }

  @Test
  void parse_wrongPrefix_badBase64_wrongLength_eachNamed() {
    assertThatThrownBy(() -> VerifyingKey.parse("rsa:AAAA"))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("must start with 'ed25519:'");
    assertThatThrownBy(() -> VerifyingKey.parse("ed25519:!!!"))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("not valid base64");
    assertThatThrownBy(() -> VerifyingKey.parse("ed25519:AAAA"))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("32 bytes, got 3");
  }

  @Test
  void verify_wrongLengthSignature_throws() {
    assertThatThrownBy(() -> rfc.verify(Bytes.EMPTY, Bytes.fromHex("00")))
        .isInstanceOf(SignatureVerificationException.class)
        .hasMessageContaining("64 bytes");
  }

  @Test
  void verify_flippedBit_throws() throws Exception {
    byte[] sig = SigningKeyTest.RFC_SIGNATURE.toByteArray();
    rfc.verify(Bytes.EMPTY, Bytes.copyOf(sig));
    sig[10] ^= 1;
    assertThatThrownBy(() -> rfc.verify(Bytes.EMPTY, Bytes.copyOf(sig)))
        .isInstanceOf(SignatureVerificationException.class);
  }
}
