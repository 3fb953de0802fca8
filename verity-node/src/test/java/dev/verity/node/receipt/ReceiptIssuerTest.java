package dev.verity.node.receipt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.core.Digest;
import dev.verity.engine.EngineInfo;
import dev.verity.engine.NumericMode;
import dev.verity.log.note.Note;
import dev.verity.log.note.NoteSigner;
import dev.verity.log.note.NoteVerificationException;
import dev.verity.log.note.VerifierKey;
import dev.verity.log.verify.BundleVerifier;
import dev.verity.log.verify.VerifiedReceipt;
import dev.verity.log.verify.VerifyOptions;
import dev.verity.log.witness.CosignatureV1;
import dev.verity.node.http.ProblemException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReceiptIssuerTest {
  static final EngineInfo ENGINE =
      EngineInfo.of("strict", "0.1.0", Map.of("threads", "1"), NumericMode.BITWISE);

  static ReceiptDraft draft(String id) {
    return ReceiptDraft.of(
            Digest.of(("model").getBytes(StandardCharsets.UTF_8)),
            ENGINE,
            Digest.of(("in-" + id).getBytes(StandardCharsets.UTF_8)),
            Digest.of(("out-" + id).getBytes(StandardCharsets.UTF_8)))
        .withRequestId(id);
  }

  @Test
  void issue_returnsBundleThatVerifiesAgainstTheLogKey(@TempDir Path dir) throws Exception {
    try (ReceiptIssuer issuer = ReceiptIssuer.open(dir)) {
      IssuedReceipt r = issuer.issue(draft("a1"));
      assertThat(r.logIndex()).isZero();
      assertThat(r.receipt().receipt().node()).isEqualTo(issuer.address());
      VerifiedReceipt v =
          BundleVerifier.verify(r.bundle(), VerifyOptions.trusting(issuer.logKey()));
      assertThat(v.logIndex()).isZero();
      assertThat(issuer.logKey().name()).isEqualTo(issuer.origin());
    }
    assertThat(Files.getPosixFilePermissions(dir.resolve("keys/receipt.key")))
        .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
    assertThat(Files.getPosixFilePermissions(dir.resolve("keys/log.key")))
        .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
  }

  @Test
  void reopen_keepsIdentity_andFindsEveryRequestId(@TempDir Path dir) throws Exception {
    List<CompletableFuture<IssuedReceipt>> fs = new ArrayList<>();
    VerifierKey key;
    try (ReceiptIssuer issuer = ReceiptIssuer.open(dir)) {
      key = issuer.logKey();
      for (int i = 0; i < 200; i++) {
        fs.add(issuer.issueAsync(draft("r" + i)));
      }
      CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).join();
    }
    try (ReceiptIssuer issuer = ReceiptIssuer.open(dir)) {
      assertThat(issuer.logKey()).isEqualTo(key);
      assertThat(issuer.log().size()).isEqualTo(200);
      for (CompletableFuture<IssuedReceipt> f : fs) {
        IssuedReceipt got = issuer.find(f.join().requestId()).orElseThrow();
        assertThat(got.logIndex()).isEqualTo(f.join().logIndex());
        assertThat(got.receipt()).isEqualTo(f.join().receipt());
        BundleVerifier.verify(got.bundle(), VerifyOptions.trusting(key));
      }
      assertThat(issuer.find("nope")).isEmpty();
    }
  }

  @Test
  void issue_duplicateRequestId_isRefusedWith409(@TempDir Path dir) throws Exception {
    try (ReceiptIssuer issuer = ReceiptIssuer.open(dir)) {
      issuer.issue(draft("dup"));
      assertThatThrownBy(() -> issuer.issue(draft("dup")))
          .isInstanceOf(ProblemException.class)
          .satisfies(e -> assertThat(((ProblemException) e).problem().status()).isEqualTo(409))
          .hasMessageContaining("dup");
      assertThat(issuer.log().size()).isEqualTo(1);
    }
  }

  @Test
  void addCosignature_mergesIntoCheckpointAndLaterBundles(@TempDir Path dir) throws Exception {
    NoteSigner witness = NoteSigner.generate("w1", VerifierKey.COSIGNATURE_V1, new SecureRandom());
    try (ReceiptIssuer issuer = ReceiptIssuer.open(dir)) {
      issuer.issue(draft("x"));
      String cp = issuer.checkpoint();
      Note n = Note.parse(cp);
      String cosigned =
          n.withSignature(CosignatureV1.sign(witness, n.text(), 1_700_000_000L)).encode();
      issuer.addCosignature(witness.verifierKey(), cosigned);
      assertThat(issuer.checkpoint()).isEqualTo(cosigned);
      IssuedReceipt r = issuer.find("x").orElseThrow();
      BundleVerifier.verify(
          r.bundle(),
          VerifyOptions.trusting(issuer.logKey()).witnesses(List.of(witness.verifierKey()), 1));
      // A later receipt is not covered by that checkpoint: it comes with the plain one.
      IssuedReceipt later = issuer.issue(draft("y"));
      assertThat(Note.parse(later.checkpoint()).signatures()).hasSize(1);
    }
    try (ReceiptIssuer issuer = ReceiptIssuer.open(dir)) {
      assertThat(issuer.latestCosigned()).isPresent();
      assertThat(Note.parse(issuer.find("x").orElseThrow().checkpoint()).signatures()).hasSize(2);
    }
  }

  @Test
  void addCosignature_badCosignature_isRefused(@TempDir Path dir) throws Exception {
    NoteSigner witness = NoteSigner.generate("w1", VerifierKey.COSIGNATURE_V1, new SecureRandom());
    NoteSigner other = NoteSigner.generate("w1", VerifierKey.COSIGNATURE_V1, new SecureRandom());
    try (ReceiptIssuer issuer = ReceiptIssuer.open(dir)) {
      issuer.issue(draft("x"));
      Note n = Note.parse(issuer.checkpoint());
      String signedByOther =
          n.withSignature(CosignatureV1.sign(other, n.text(), 1_700_000_000L)).encode();
      assertThatThrownBy(() -> issuer.addCosignature(witness.verifierKey(), signedByOther))
          .isInstanceOf(NoteVerificationException.class);
      assertThat(Note.parse(issuer.checkpoint()).signatures()).hasSize(1);
    }
  }
}
