package dev.verity.hub.manifest;

import static dev.verity.hub.TestModels.GOLDEN_KEY;
import static dev.verity.hub.TestModels.OTHER_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.verity.core.Bytes;
import dev.verity.core.FormatException;
import dev.verity.core.SignatureVerificationException;
import dev.verity.core.dsse.DsseEnvelope;
import dev.verity.core.dsse.DsseSignature;
import dev.verity.core.json.CanonicalJson;
import dev.verity.hub.GoldenFiles;
import dev.verity.hub.TestModels;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Pins the exact bytes of the model manifest format (statement, PAE, envelope, digest) and keeps
 * one negative fixture per failure mode, each rejected with its own message.
 */
class GoldenManifestTest {
  private static final String DIR = "manifest/";
  private static final String NEG = "manifest/negative/";

  private static SignedManifest golden() {
    return SignedManifest.sign(TestModels.goldenManifest(), GOLDEN_KEY);
  }

  @Test
  void golden_statementPaeEnvelopeDigest_pinned() throws Exception {
    SignedManifest sm = golden();
    GoldenFiles.assertMatches(DIR + "statement.json", sm.envelope().payload().toByteArray());
    GoldenFiles.assertMatches(
        DIR + "pae.txt",
        DsseEnvelope.pae(SignedManifest.PAYLOAD_TYPE, sm.envelope().payload()).toByteArray());
    GoldenFiles.assertMatches(DIR + "envelope.json", sm.toJson());
    GoldenFiles.assertMatches(
        DIR + "digest.txt", (sm.digest() + "\n").getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void golden_envelope_parsesVerifiesAndHasPinnedDigest() throws Exception {
    SignedManifest sm = SignedManifest.parse(GoldenFiles.read(DIR + "envelope.json"));
    sm.verify();
    sm.verify(GOLDEN_KEY.verifyingKey());
    assertThat(sm.manifest()).isEqualTo(TestModels.goldenManifest());
    assertThat(sm.digest().toString() + "\n")
        .isEqualTo(new String(GoldenFiles.read(DIR + "digest.txt"), StandardCharsets.UTF_8));
    assertThat(sm.manifest().parentDigest()).isPresent();
    assertThat(sm.manifest().totalSize()).isEqualTo(40 + 25);
  }

  @Test
  void verify_expectedOtherKey_namesSignerAndExpected() throws Exception {
    SignedManifest sm = SignedManifest.parse(GoldenFiles.read(DIR + "envelope.json"));
    assertThatThrownBy(() -> sm.verify(OTHER_KEY.verifyingKey()))
        .isInstanceOf(SignatureVerificationException.class)
        .hasMessageContaining("is signed by " + GOLDEN_KEY.verifyingKey().toText())
        .hasMessageContaining("expected " + OTHER_KEY.verifyingKey().toText());
  }

  @Test
  void negative_tamperedPayload_badSignature() throws Exception {
    SignedManifest sm = golden();
    Bytes payload =
        Bytes.utf8(sm.envelope().payload().toUtf8String().replace("\"1.0.0\"", "\"1.0.1\""));
    DsseEnvelope env =
        new DsseEnvelope(SignedManifest.PAYLOAD_TYPE, payload, sm.envelope().signatures());
    byte[] json = pin("tampered-payload.json", env);
    SignedManifest parsed = SignedManifest.parse(json);
    assertThatThrownBy(parsed::verify)
        .isInstanceOf(SignatureVerificationException.class)
        .hasMessageContaining("bad signature")
        .hasMessageContaining("golden-model 1.0.1");
  }

  @Test
  void negative_tamperedSignature_badSignature() throws Exception {
    SignedManifest sm = golden();
    byte[] sig = sm.envelope().signatures().get(0).sig().toByteArray();
    sig[0] ^= 0x01;
    DsseEnvelope env =
        new DsseEnvelope(
            SignedManifest.PAYLOAD_TYPE,
            sm.envelope().payload(),
            List.of(new DsseSignature(GOLDEN_KEY.verifyingKey().keyId(), Bytes.copyOf(sig))));
    SignedManifest parsed = SignedManifest.parse(pin("tampered-signature.json", env));
    assertThatThrownBy(parsed::verify)
        .isInstanceOf(SignatureVerificationException.class)
        .hasMessageContaining("bad signature");
  }

  @Test
  void negative_unsigned_rejected() throws Exception {
    DsseEnvelope env =
        new DsseEnvelope(SignedManifest.PAYLOAD_TYPE, golden().envelope().payload(), List.of());
    SignedManifest parsed = SignedManifest.parse(pin("unsigned.json", env));
    assertThatThrownBy(parsed::verify)
        .isInstanceOf(SignatureVerificationException.class)
        .hasMessageContaining("unsigned");
  }

  @Test
  void negative_signedByKeyOtherThanPublisher_rejected() throws Exception {
    DsseEnvelope env =
        DsseEnvelope.sign(SignedManifest.PAYLOAD_TYPE, golden().envelope().payload(), OTHER_KEY);
    SignedManifest parsed = SignedManifest.parse(pin("wrong-key.json", env));
    assertThatThrownBy(parsed::verify)
        .isInstanceOf(SignatureVerificationException.class)
        .hasMessageContaining("unknown key(s) [" + OTHER_KEY.verifyingKey().keyId() + "]");
  }

  @Test
  void negative_wrongPayloadType_rejected() throws Exception {
    DsseEnvelope env =
        DsseEnvelope.sign("application/json", golden().envelope().payload(), GOLDEN_KEY);
    byte[] json = pin("wrong-payload-type.json", env);
    assertThatThrownBy(() -> SignedManifest.parse(json))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("wrong payloadType 'application/json'");
  }

  @Test
  void negative_traversalPath_rejected() throws Exception {
    assertStatementRejected("traversal-path.json", setPath(0, "../x"), "path traversal");
  }

  @Test
  void negative_absolutePath_rejected() throws Exception {
    assertStatementRejected(
        "absolute-path.json", setPath(0, "/etc/passwd"), "absolute, must be relative");
  }

  @Test
  void negative_duplicatePath_rejected() throws Exception {
    assertStatementRejected(
        "duplicate-path.json", setPath(1, "README.md"), "duplicate file path 'README.md'");
  }

  @Test
  void negative_badDigestText_rejected() throws Exception {
    assertStatementRejected(
        "bad-digest.json",
        st -> ((ObjectNode) files(st).get(0)).put("digest", "sha256:XYZ"),
        "predicate.files[0].digest: digest must be 'sha256:' followed by 64 lower-case hex");
  }

  @Test
  void negative_missingName_rejected() throws Exception {
    assertStatementRejected(
        "missing-name.json",
        st -> ((ObjectNode) st.get("predicate")).remove("name"),
        "predicate.name: missing required string");
  }

  @Test
  void negative_badVersion_rejected() throws Exception {
    assertStatementRejected(
        "bad-version.json",
        st -> ((ObjectNode) st.get("predicate")).put("version", "1.0 beta"),
        "bad model version '1.0 beta'");
  }

  @Test
  void negative_subjectNotMatchingFiles_rejected() throws Exception {
    assertStatementRejected(
        "subject-mismatch.json",
        st ->
            ((ObjectNode) st.withArray("subject").get(0))
                .withObject("digest")
                .put("sha256", "00".repeat(32)),
        "does not match predicate.files[0]");
  }

  @Test
  void negative_nonCanonicalStatement_rejected() throws Exception {
    Bytes payload =
        Bytes.utf8(
            golden()
                .envelope()
                .payload()
                .toUtf8String()
                .replace(",\"predicateType\"", ", \"predicateType\""));
    DsseEnvelope env = DsseEnvelope.sign(SignedManifest.PAYLOAD_TYPE, payload, GOLDEN_KEY);
    byte[] json = pin("non-canonical.json", env);
    assertThatThrownBy(() -> SignedManifest.parse(json))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("not in canonical JSON form");
  }

  private static Consumer<ObjectNode> setPath(int index, String path) {
    return st -> {
      ((ObjectNode) files(st).get(index)).put("path", path);
      ((ObjectNode) st.withArray("subject").get(index)).put("name", path);
    };
  }

  private static ArrayNode files(ObjectNode st) {
    return (ArrayNode) st.get("predicate").get("files");
  }

  private static void assertStatementRejected(
      String fixture, Consumer<ObjectNode> mutation, String message) throws Exception {
    ObjectNode st = TestModels.goldenManifest().toStatement();
    mutation.accept(st);
    DsseEnvelope env =
        DsseEnvelope.sign(SignedManifest.PAYLOAD_TYPE, CanonicalJson.encode(st), GOLDEN_KEY);
    byte[] json = pin(fixture, env);
    assertThatThrownBy(() -> SignedManifest.parse(json))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining(message);
  }

  /** Pins the fixture's bytes and returns them as read from the committed file. */
  private static byte[] pin(String name, DsseEnvelope env) throws Exception {
    GoldenFiles.assertMatches(NEG + name, env.toJson().toByteArray());
    return GoldenFiles.read(NEG + name);
  }
}
