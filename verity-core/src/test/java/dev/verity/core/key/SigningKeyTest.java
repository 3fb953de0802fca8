package dev.verity.core.key;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.core.Bytes;
import dev.verity.core.SignatureVerificationException;
import org.junit.jupiter.api.Test;

class SigningKeyTest {
  // RFC 8032 section 7.1, TEST 1 (empty message).
  static final Bytes RFC_SEED =
      Bytes.fromHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  static final Bytes RFC_PUBLIC =
      Bytes.fromHex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  static final Bytes RFC_SIGNATURE =
      Bytes.fromHex(
          "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");

  // RFC 8032 section 7.1, TEST 2 (one-byte message 0x72).
  static final Bytes RFC2_SEED =
      Bytes.fromHex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb");
  static final Bytes RFC2_PUBLIC =
      Bytes.fromHex("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c");
  static final Bytes RFC2_SIGNATURE =
      Bytes.fromHex(
          "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00");

  @Test
  void fromSeed_rfc8032Test1_derivesPublicKeyAndSignature() {
    SigningKey key = SigningKey.fromSeed(RFC_SEED);
    assertThat(key.verifyingKey().raw()).isEqualTo(RFC_PUBLIC);
    assertThat(key.sign(Bytes.EMPTY)).isEqualTo(RFC_SIGNATURE);
  }

  @Test
  void fromSeed_rfc8032Test2_derivesPublicKeyAndSignature() throws Exception {
    SigningKey key = SigningKey.fromSeed(RFC2_SEED);
    assertThat(key.verifyingKey().raw()).isEqualTo(RFC2_PUBLIC);
    Bytes msg = Bytes.fromHex("72");
    assertThat(key.sign(msg)).isEqualTo(RFC2_SIGNATURE);
    key.verifyingKey().verify(msg, RFC2_SIGNATURE);
  }

  @Test
  void generate_signaturesVerifyWithItsKeyOnly() throws Exception {
    SigningKey a = SigningKey.generate();
    SigningKey b = SigningKey.generate();
    assertThat(a.verifyingKey()).isNotEqualTo(b.verifyingKey());
    Bytes msg = Bytes.utf8("hello");
    Bytes sig = a.sign(msg);
    a.verifyingKey().verify(msg, sig);
    assertThatThrownBy(() -> b.verifyingKey().verify(msg, sig))
        .isInstanceOf(SignatureVerificationException.class)
        .hasMessageContaining("bad signature")
        .hasMessageContaining(b.verifyingKey().keyId());
  }

  @Test
  void toString_doesNotRevealSecret() {
    SigningKey key = SigningKey.fromSeed(RFC_SEED);
    String s = key.toString();
    assertThat(s).contains("redacted").contains(key.verifyingKey().keyId());
    assertThat(s.toLowerCase()).doesNotContain(RFC_SEED.toHex().substring(0, 12));
    assertThat(s).doesNotContain(RFC_SEED.toBase64().substring(0, 12));
  }

  @Test
  void fromSeed_wrongLength_rejected() {
    assertThatThrownBy(() -> SigningKey.fromSeed(Bytes.fromHex("0011")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("32 bytes");
  }
}
