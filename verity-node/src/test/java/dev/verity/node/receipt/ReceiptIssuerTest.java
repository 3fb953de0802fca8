package dev.verity.node.receipt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.core.Digest;
import dev.verity.engine.EngineInfo;
import dev.verity.engine.NumericMode;
import dev.verity.log.note.Note;
import dev.verity.log.note.NoteSignature;
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
  void addCosignature_repeatedRounds_keepOneCosignaturePerWitness(@TempDir Path dir)
      throws Exception {
    List<NoteSigner> witnesses = new java.util.ArrayList<>();
    for (int i = 0; i < 12; i++) {
      witnesses.add(NoteSigner.generate("w" + i, VerifierKey.COSIGNATURE_V1, new SecureRandom()));
    }
    try (ReceiptIssuer issuer = ReceiptIssuer.open(dir)) {
      for (int round = 0; round < 5; round++) {
        for (NoteSigner w : witnesses) {
          Note n = Note.parse(issuer.checkpoint());
          String cosigned =
              n.withSignature(CosignatureV1.sign(w, n.text(), 1_700_000_000L + round)).encode();
          issuer.addCosignature(w.verifierKey(), cosigned);
        }
      }
      // Each witness's own earlier cosignature rode along in every offer; only its newest stays.
      List<NoteSignature> sigs = Note.parse(issuer.checkpoint()).signatures();
      assertThat(sigs).hasSize(13);
      for (NoteSignature s : sigs.subList(1, sigs.size())) {
        assertThat(CosignatureV1.timestamp(s)).isEqualTo(1_700_000_004L);
      }
      // An offer carrying only an older cosignature does not replace the newer one.
      NoteSigner w = witnesses.getFirst();
      Note n = Note.parse(issuer.checkpoint());
      Note stale =
          new Note(
              n.text(),
              List.of(n.signatures().getFirst(), CosignatureV1.sign(w, n.text(), 1_600_000_000L)));
      issuer.addCosignature(w.verifierKey(), stale.encode());
      assertThat(Note.parse(issuer.checkpoint()).signatures())
          .filteredOn(w.verifierKey()::matches)
          .singleElement()
          .satisfies(s -> assertThat(CosignatureV1.timestamp(s)).isEqualTo(1_700_000_004L));
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

  @Test
  void concurrentRequests_shareBatchSignatures_andEveryBundleVerifies(@TempDir Path dir)
      throws Exception {
    int n = 300;
    try (ReceiptIssuer issuer = ReceiptIssuer.open(dir)) {
      List<CompletableFuture<IssuedReceipt>> fs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        fs.add(issuer.issueAsync(draft("c" + i)));
      }
      Set<Long> indexes = new java.util.HashSet<>();
      int batched = 0;
      for (CompletableFuture<IssuedReceipt> f : fs) {
        IssuedReceipt r = f.join();
        assertThat(indexes.add(r.logIndex())).isTrue();
        if (r.receipt().batch().isPresent()) {
          batched++;
          assertThat(r.receipt().batch().get().size()).isGreaterThan(1);
        }
        BundleVerifier.verify(
            r.bundle(), VerifyOptions.trusting(issuer.logKey()).domain(issuer.domain()));
      }
      // Requests queued while the signer was busy were signed together.
      assertThat(batched).isPositive();
      assertThat(issuer.signatureCount()).isLessThan(n).isPositive();
      assertThat(issuer.log().size()).isEqualTo(n);
    }
    // The index rebuilt from the log on start finds batch-signed receipts too.
    try (ReceiptIssuer issuer = ReceiptIssuer.open(dir)) {
      for (int i = 0; i < n; i++) {
        IssuedReceipt r = issuer.find("c" + i).orElseThrow();
        r.receipt().verify();
        assertThat(r.requestId()).isEqualTo("c" + i);
      }
      assertThatThrownBy(() -> issuer.issue(draft("c7")))
          .isInstanceOf(ProblemException.class)
          .hasMessageContaining("already used");
    }
  }

  @Test
  void singleRequest_isSignedDirectly(@TempDir Path dir) throws Exception {
    try (ReceiptIssuer issuer = ReceiptIssuer.open(dir)) {
      IssuedReceipt r = issuer.issue(draft("alone"));
      assertThat(r.receipt().batch()).isEmpty();
      r.receipt().verify();
      assertThat(issuer.signatureCount()).isEqualTo(1);
    }
  }

  @Test
  void close_logsEveryAcceptedRequest_thenRefusesWith503(@TempDir Path dir) throws Exception {
    int n = 500;
    List<CompletableFuture<IssuedReceipt>> fs = new ArrayList<>();
    ReceiptIssuer issuer = ReceiptIssuer.open(dir);
    for (int i = 0; i < n; i++) {
      fs.add(issuer.issueAsync(draft("s" + i)));
    }
    issuer.close();
    assertThatThrownBy(() -> issuer.issue(draft("late")))
        .isInstanceOf(ProblemException.class)
        .satisfies(e -> assertThat(((ProblemException) e).problem().status()).isEqualTo(503))
        .hasMessageContaining("shutting down");
    // Everything accepted before close was signed and committed, none is lost.
    for (CompletableFuture<IssuedReceipt> f : fs) {
      assertThat(f.join().receipt().receipt().requestId()).startsWith("s");
    }
    try (ReceiptIssuer reopened = ReceiptIssuer.open(dir)) {
      assertThat(reopened.log().size()).isEqualTo(n);
      for (CompletableFuture<IssuedReceipt> f : fs) {
        IssuedReceipt got = reopened.find(f.join().requestId()).orElseThrow();
        assertThat(got.logIndex()).isEqualTo(f.join().logIndex());
        assertThat(got.receipt()).isEqualTo(f.join().receipt());
      }
      assertThat(reopened.find("late")).isEmpty();
    }
  }
}
