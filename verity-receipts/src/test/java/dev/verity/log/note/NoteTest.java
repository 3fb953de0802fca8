package dev.verity.log.note;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.core.Bytes;
import dev.verity.log.TestKeys;
import dev.verity.log.witness.CosignatureV1;
import java.util.Base64;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class NoteTest {
  // golang.org/x/mod/sumdb/note reference vectors.
  static final String PETER_VKEY =
      "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
  static final String PETER_SKEY =
      "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
  static final String PETER_TEXT =
      "If you think cryptography is the answer to your problem,\n"
          + "then you don't know what your problem is.\n";
  static final String PETER_NOTE =
      PETER_TEXT
          + "\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

  @Test
  void goReferenceVector_signsAndVerifiesIdentically() throws Exception {
    NoteSigner s = NoteSigner.fromSkey(PETER_SKEY);
    assertThat(s.verifierKey().encode()).isEqualTo(PETER_VKEY);
    assertThat(s.signNote(PETER_TEXT).encode()).isEqualTo(PETER_NOTE);
    assertThat(s.toSkey()).isEqualTo(PETER_SKEY);
    Note n = Note.parse(PETER_NOTE);
    assertThat(n.text()).isEqualTo(PETER_TEXT);
    NoteVerifier.verify(n, VerifierKey.parse(PETER_VKEY));
    assertThat(s.toString()).doesNotContain("AYEKFALV").contains("redacted");
  }

  @Test
  void verify_tamperedText_throws() {
    Note n = Note.parse(PETER_NOTE.replace("problem,", "problem;"));
    assertThatThrownBy(() -> NoteVerifier.verify(n, VerifierKey.parse(PETER_VKEY)))
        .isInstanceOf(NoteVerificationException.class)
        .hasMessageContaining("invalid");
  }

  @Test
  void verify_noSignatureFromKey_throws() {
    Note n = TestKeys.logSigner().signNote("hello\n");
    assertThatThrownBy(() -> NoteVerifier.verify(n, VerifierKey.parse(PETER_VKEY)))
        .hasMessageContaining("no signature from PeterNeumann");
  }

  @Test
  void vkey_cosignatureTypeFromTransparencyDev_parses() {
    VerifierKey k =
        VerifierKey.parse("remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2");
    assertThat(k.type()).isEqualTo(VerifierKey.COSIGNATURE_V1);
    assertThat(k.keyIdHex()).isEqualTo("da77ade7");
  }

  @Test
  void vkey_mangled_rejected() {
    assertThatThrownBy(
            () ->
                VerifierKey.parse(
                    "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"))
        .hasMessageContaining("does not match");
    assertThatThrownBy(
            () ->
                VerifierKey.parse(
                    "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"))
        .hasMessageContaining("spaces");
    assertThatThrownBy(() -> VerifierKey.parse("rekor.sigstore.dev+12345678+AwEB"))
        .isInstanceOf(NoteFormatException.class);
    for (int i = 0; i < PETER_VKEY.length(); i++) {
      String bad =
          PETER_VKEY.substring(0, i)
              + (char) (PETER_VKEY.charAt(i) + 1)
              + PETER_VKEY.substring(i + 1);
      assertThatThrownBy(() -> VerifierKey.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void cosignatureTimestamp_transparencyDevVector_decodes() {
    byte[] all =
        Base64.getDecoder()
            .decode(
                "ZGhGuQAAAABm/qTPeyKXD+R2rzyQsxPiP8mXum7qq/iF0u4vanlqJyocWODBt97w9uL+8qT7S5gxEHWWOworDcFiEBYJXORmnFBOBA==");
    NoteSignature s =
        new NoteSignature("w", 0, Bytes.copyOf(java.util.Arrays.copyOfRange(all, 4, all.length)));
    assertThat(CosignatureV1.timestamp(s)).isEqualTo(1727964367L);
  }

  @Test
  void cosignatureSpecExample_parsesAndCarriesItsTimestamp() {
    // c2sp.org/tlog-cosignature: the example cosignature was made at "time 1679315147".
    Note n =
        Note.parse(
            "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n"
                + "\u2014 example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"
                + "\u2014 witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n");
    assertThat(n.signatures()).hasSize(2);
    assertThat(CosignatureV1.timestamp(n.signatures().get(1))).isEqualTo(1679315147L);
    assertThat(n.encode()).contains("witness.example.com/w1");
  }

  @Test
  void parse_malformedNotes_rejectedWithReason() {
    assertThatThrownBy(() -> Note.parse("text\n")).hasMessageContaining("blank line");
    assertThatThrownBy(() -> Note.parse("text\n\n")).hasMessageContaining("no signature lines");
    assertThatThrownBy(() -> Note.parse("text\n\n- name AAAAAAA=\n"))
        .hasMessageContaining("em dash");
    assertThatThrownBy(() -> Note.parse("text\n\n— name AAAA\n"))
        .hasMessageContaining("shorter than 5");
    assertThatThrownBy(() -> Note.parse("te\u0001xt\n\n— name AAAAAAA=\n"))
        .hasMessageContaining("control");
    assertThatThrownBy(() -> Note.parse("text\n\n— name AAAAAAA=")).hasMessageContaining("newline");
    assertThatThrownBy(() -> Note.parse("text\n\n— na+me AAAAAAA=\n")).hasMessageContaining("'+'");
    assertThatThrownBy(() -> Note.parse("text\n\n— name !!!!\n")).hasMessageContaining("base64");
  }

  @Test
  void checkpoint_specExample_parsesAndRoundTrips() {
    String text =
        "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
    Checkpoint c = Checkpoint.parse(text);
    assertThat(c.origin()).isEqualTo("example.com/behind-the-sofa");
    assertThat(c.size()).isEqualTo(20852163L);
    assertThat(c.text()).isEqualTo(text);
    Checkpoint withExt = Checkpoint.parse(text + "ext one\n");
    assertThat(withExt.extensions()).containsExactly("ext one");
  }

  @Test
  void checkpoint_malformed_rejected() {
    assertThatThrownBy(
            () -> Checkpoint.parse("o\n01\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"))
        .hasMessageContaining("leading zeros");
    assertThatThrownBy(() -> Checkpoint.parse("o\n1\nAAAA\n")).hasMessageContaining("32 bytes");
    assertThatThrownBy(() -> Checkpoint.parse("o\n1\n"))
        .hasMessageContaining("origin, size and root");
    assertThatThrownBy(
            () -> Checkpoint.parse("o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n"))
        .hasMessageContaining("extension");
    assertThatThrownBy(
            () ->
                Checkpoint.parse(
                    "o\n99999999999999999999\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"))
        .isInstanceOf(NoteFormatException.class);
  }

  @Test
  void signedCheckpoint_wrongKeyOrOrigin_rejected() throws Exception {
    Checkpoint c = new Checkpoint(TestKeys.logSigner().name(), 3, Bytes.copyOf(new byte[32]));
    SignedCheckpoint sc = SignedCheckpoint.sign(c, TestKeys.logSigner());
    SignedCheckpoint.verify(sc.encode(), TestKeys.logSigner().verifierKey());
    assertThatThrownBy(
            () -> SignedCheckpoint.verify(sc.encode(), TestKeys.otherLogSigner().verifierKey()))
        .isInstanceOf(NoteVerificationException.class);
    Checkpoint other = new Checkpoint("someone.else/log", 3, Bytes.copyOf(new byte[32]));
    Note n = TestKeys.logSigner().signNote(other.text());
    assertThatThrownBy(() -> SignedCheckpoint.verify(n, TestKeys.logSigner().verifierKey()))
        .hasMessageContaining("origin");
  }

  @Property(tries = 2000)
  void noteAndCheckpointParsers_mutatedInput_failOnlyWithFormatOrVerificationErrors(
      @ForAll @IntRange(min = 0, max = 400) int pos,
      @ForAll char c,
      @ForAll @IntRange(min = 0, max = 2) int op) {
    String good =
        SignedCheckpoint.sign(
                new Checkpoint("log.example/a", 42, Bytes.copyOf(new byte[32]), List.of("x")),
                TestKeys.logSigner())
            .encode();
    StringBuilder sb = new StringBuilder(good);
    int p = pos % sb.length();
    switch (op) {
      case 0 -> sb.deleteCharAt(p);
      case 1 -> sb.insert(p, c);
      default -> sb.setCharAt(p, c);
    }
    try {
      Note n = Note.parse(sb.toString());
      Checkpoint.parse(n.text());
      NoteVerifier.verify(n, TestKeys.logSigner().verifierKey());
      assertThat(n.text()).isEqualTo(Note.parse(good).text());
    } catch (NoteFormatException | NoteVerificationException e) {
      assertThat(e.getMessage()).isNotBlank();
    }
  }

  @Property(tries = 1000)
  void vkeyParser_arbitraryText_onlyFormatErrors(@ForAll String s) {
    try {
      VerifierKey.parse(s);
    } catch (NoteFormatException e) {
      assertThat(e.getMessage()).isNotBlank();
    }
  }

  @Property(tries = 1000)
  void noteParser_arbitraryText_onlyFormatErrors(@ForAll String s) {
    try {
      Note.parse(s + "\n\n— k " + Base64.getEncoder().encodeToString(s.getBytes()) + "\n");
    } catch (NoteFormatException e) {
      assertThat(e.getMessage()).isNotBlank();
    }
  }
}
