package dev.verity.core.dsse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.core.Bytes;
import dev.verity.core.FormatException;
import dev.verity.core.GoldenFiles;
import dev.verity.core.SignatureVerificationException;
import dev.verity.core.key.SigningKey;
import dev.verity.core.key.VerifyingKey;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class DsseEnvelopeTest {
  /** Golden key: the Ed25519 key whose RFC 8032 seed is the bytes 0x00, 0x01, ..., 0x1f. */
  static final SigningKey GOLDEN =
      SigningKey.fromSeed(
          Bytes.fromHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"));

  static final String TYPE = "http://example.com/HelloWorld";
  static final Bytes HELLO = Bytes.utf8("hello world");

  @Test
  void pae_matchesDsseSpecExample() {
    // From the DSSE v1 protocol document's worked example.
    assertThat(DsseEnvelope.pae(TYPE, HELLO).toUtf8String())
        .isEqualTo("DSSEv1 29 http://example.com/HelloWorld 11 hello world");
  }

  @Test
  void pae_countsUtf8BytesNotChars() {
    Bytes pae = DsseEnvelope.pae("t\u00e9", Bytes.fromHex("00ff"));
    assertThat(pae.toHex())
        .isEqualTo(Bytes.utf8("DSSEv1 3 t\u00e9 2 ").concat(Bytes.fromHex("00ff")).toHex());
  }

  @Test
  void golden_paeEnvelopeAndKey_pinned() throws Exception {
    GoldenFiles.assertMatches("dsse/pae.txt", DsseEnvelope.pae(TYPE, HELLO).toByteArray());
    GoldenFiles.assertMatches(
        "dsse/public-key.txt",
        (GOLDEN.verifyingKey().toText() + "\n").getBytes(StandardCharsets.UTF_8));
    DsseEnvelope env = DsseEnvelope.sign(TYPE, HELLO, GOLDEN);
    GoldenFiles.assertMatches("dsse/envelope.json", env.toJson().toByteArray());
    DsseEnvelope parsed = DsseEnvelope.parse(GoldenFiles.read("dsse/envelope.json"));
    assertThat(parsed).isEqualTo(env);
    assertThat(parsed.verify(List.of(GOLDEN.verifyingKey()))).isEqualTo(GOLDEN.verifyingKey());
  }

  @Test
  void verify_unsigned_throwsNamingIt() {
    DsseEnvelope env = new DsseEnvelope(TYPE, HELLO, List.of());
    assertThatThrownBy(() -> env.verify(List.of(GOLDEN.verifyingKey())))
        .isInstanceOf(SignatureVerificationException.class)
        .hasMessageContaining("unsigned");
  }

  @Test
  void verify_unknownKey_throwsNamingKeyIds() {
    SigningKey other = SigningKey.generate();
    DsseEnvelope env = DsseEnvelope.sign(TYPE, HELLO, other);
    assertThatThrownBy(() -> env.verify(List.of(GOLDEN.verifyingKey())))
        .isInstanceOf(SignatureVerificationException.class)
        .hasMessageContaining("unknown key")
        .hasMessageContaining(other.verifyingKey().keyId())
        .hasMessageContaining(GOLDEN.verifyingKey().keyId());
  }

  @Test
  void verify_tamperedPayload_throwsBadSignature() {
    DsseEnvelope env = DsseEnvelope.sign(TYPE, HELLO, GOLDEN);
    DsseEnvelope tampered = new DsseEnvelope(TYPE, Bytes.utf8("hello World"), env.signatures());
    assertThatThrownBy(() -> tampered.verify(List.of(GOLDEN.verifyingKey())))
        .isInstanceOf(SignatureVerificationException.class)
        .hasMessageContaining("bad signature")
        .hasMessageContaining(GOLDEN.verifyingKey().keyId());
  }

  @Test
  void verify_tamperedPayloadType_throwsBadSignature() {
    DsseEnvelope env = DsseEnvelope.sign(TYPE, HELLO, GOLDEN);
    DsseEnvelope tampered = new DsseEnvelope("text/plain", HELLO, env.signatures());
    assertThatThrownBy(() -> tampered.verify(List.of(GOLDEN.verifyingKey())))
        .isInstanceOf(SignatureVerificationException.class)
        .hasMessageContaining("bad signature");
  }

  @Test
  void verify_truncatedSignature_reportedAsMalformed() {
    DsseEnvelope env =
        new DsseEnvelope(
            TYPE,
            HELLO,
            List.of(new DsseSignature(GOLDEN.verifyingKey().keyId(), Bytes.fromHex("0102"))));
    assertThatThrownBy(() -> env.verify(List.of(GOLDEN.verifyingKey())))
        .isInstanceOf(SignatureVerificationException.class)
        .hasMessageContaining("malformed signature")
        .hasMessageContaining("2 bytes");
  }

  @Test
  void verify_secondSignatureTrusted_returnsThatKey() throws Exception {
    SigningKey other = SigningKey.generate();
    DsseEnvelope env = DsseEnvelope.sign(TYPE, HELLO, other).addSignature(GOLDEN);
    assertThat(env.verify(List.of(GOLDEN.verifyingKey()))).isEqualTo(GOLDEN.verifyingKey());
  }

  @Test
  void verify_emptyKeyId_triesTrustedKeys() throws Exception {
    DsseEnvelope signed = DsseEnvelope.sign(TYPE, HELLO, GOLDEN);
    DsseEnvelope env =
        new DsseEnvelope(
            TYPE, HELLO, List.of(new DsseSignature("", signed.signatures().get(0).sig())));
    VerifyingKey other = SigningKey.generate().verifyingKey();
    assertThat(env.verify(List.of(other, GOLDEN.verifyingKey()))).isEqualTo(GOLDEN.verifyingKey());
  }

  @Test
  void parse_acceptsUrlSafeBase64AndWhitespaceAndMissingKeyid() throws Exception {
    String json =
        "{ \"payloadType\": \"t\", \"payload\": \"_-8\", \"signatures\": [ {\"sig\": \"AAAA\"} ] }";
    DsseEnvelope env = DsseEnvelope.parse(json.getBytes(StandardCharsets.UTF_8));
    assertThat(env.payload()).isEqualTo(Bytes.fromHex("ffef"));
    assertThat(env.signatures()).containsExactly(new DsseSignature("", Bytes.fromHex("000000")));
  }

  @Test
  void parse_eachMalformation_namesTheProblem() {
    assertParseFails("", "empty");
    assertParseFails("not json", "not valid JSON");
    assertParseFails("[]", "expected a JSON object");
    assertParseFails("{\"payloadType\":\"t\",\"signatures\":[]}", "envelope.payload: missing");
    assertParseFails(
        "{\"payload\":\"\",\"payloadType\":1,\"signatures\":[]}",
        "envelope.payloadType: expected a string, got a number");
    assertParseFails(
        "{\"payload\":\"@@\",\"payloadType\":\"t\",\"signatures\":[]}",
        "envelope.payload: not valid base64");
    assertParseFails(
        "{\"payload\":\"\",\"payloadType\":\"t\",\"signatures\":{}}",
        "envelope.signatures: expected an array");
    assertParseFails(
        "{\"payload\":\"\",\"payloadType\":\"t\",\"signatures\":[],\"extra\":1}",
        "unknown field(s) [extra]");
    assertParseFails(
        "{\"payload\":\"\",\"payloadType\":\"t\",\"signatures\":[{\"sig\":\"AA==\",\"x\":1}]}",
        "envelope.signatures[0]: unknown field(s) [x]");
    assertParseFails(
        "{\"payload\":\"\",\"payloadType\":\"t\",\"signatures\":[{\"keyid\":5,\"sig\":\"AA==\"}]}",
        "envelope.signatures[0].keyid: expected a string");
    assertParseFails(
        "{\"payload\":\"\",\"payload\":\"\",\"payloadType\":\"t\",\"signatures\":[]}",
        "Duplicate field");
    assertParseFails(
        "{\"payload\":\"\",\"payloadType\":\"t\",\"signatures\":[]} {}", "not valid JSON");
  }

  @Test
  void parse_tooManySignatures_rejected() {
    StringBuilder sb =
        new StringBuilder("{\"payload\":\"\",\"payloadType\":\"t\",\"signatures\":[");
    for (int i = 0; i <= DsseEnvelope.MAX_SIGNATURES; i++) {
      sb.append(i == 0 ? "" : ",").append("{\"sig\":\"AA==\"}");
    }
    assertParseFails(sb.append("]}").toString(), "at most 16");
  }

  private static void assertParseFails(String json, String message) {
    assertThatThrownBy(() -> DsseEnvelope.parse(json.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining(message);
  }
}
