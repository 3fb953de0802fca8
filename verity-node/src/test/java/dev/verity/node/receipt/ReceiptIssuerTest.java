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
import dev.verity.receipt.ReceiptDomain;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
  void addCosignature_fullCheckpoint_makesRoomForTrustedWitnesses_only(@TempDir Path dir)
      throws Exception {
    List<NoteSigner> strangers = new java.util.ArrayList<>();
    for (int i = 0; i < ReceiptIssuer.MAX_COSIGNERS + 1; i++) {
      strangers.add(NoteSigner.generate("s" + i, VerifierKey.COSIGNATURE_V1, new SecureRandom()));
    }
    NoteSigner trusted1 =
        NoteSigner.generate("trusted-1", VerifierKey.COSIGNATURE_V1, new SecureRandom());
    NoteSigner trusted2 =
        NoteSigner.generate("trusted-2", VerifierKey.COSIGNATURE_V1, new SecureRandom());
    try (ReceiptIssuer issuer = ReceiptIssuer.open(dir)) {
      issuer.issue(draft("x"));
      issuer.trustWitnesses(List.of(trusted1.verifierKey(), trusted2.verifierKey()));
      // Sixteen strangers take every place; stranger i cosigns at time 1000 + i.
      for (int i = 0; i < ReceiptIssuer.MAX_COSIGNERS; i++) {
        cosign(issuer, strangers.get(i), 1000 + i);
      }
      assertThatThrownBy(() -> cosign(issuer, strangers.getLast(), 2000))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("already carries 16 cosignatures")
          .hasMessageContaining("kept for trusted witnesses");
      // A trusted witness replaces the stranger with the oldest cosignature (s0).
      cosign(issuer, trusted1, 3000);
      List<NoteSignature> sigs = Note.parse(issuer.checkpoint()).signatures();
      assertThat(sigs).hasSize(ReceiptIssuer.MAX_COSIGNERS + 1);
      assertThat(sigs).anyMatch(trusted1.verifierKey()::matches);
      assertThat(sigs).noneMatch(strangers.getFirst().verifierKey()::matches);
      assertThat(sigs).anyMatch(strangers.get(1).verifierKey()::matches);
      assertThat(sigs).anyMatch(issuer.logKey()::matches);
      // The next one replaces s1; trusted cosignatures are never the ones replaced.
      cosign(issuer, trusted2, 3001);
      sigs = Note.parse(issuer.checkpoint()).signatures();
      assertThat(sigs).hasSize(ReceiptIssuer.MAX_COSIGNERS + 1);
      assertThat(sigs).anyMatch(trusted1.verifierKey()::matches);
      assertThat(sigs).anyMatch(trusted2.verifierKey()::matches);
      assertThat(sigs).noneMatch(strangers.get(1).verifierKey()::matches);
      // Strangers still find no room.
      assertThatThrownBy(() -> cosign(issuer, strangers.getFirst(), 4000))
          .hasMessageContaining("already carries 16 cosignatures");
    }
  }

  @Test
  void trustWitnesses_refusesKeysThatAreNotCosignatureKeys(@TempDir Path dir) throws Exception {
    try (ReceiptIssuer issuer = ReceiptIssuer.open(dir)) {
      assertThatThrownBy(() -> issuer.trustWitnesses(List.of(issuer.logKey())))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("is not a cosignature/v1 key");
    }
  }

  private static void cosign(ReceiptIssuer issuer, NoteSigner w, long time) throws Exception {
    Note n = Note.parse(issuer.checkpoint());
    issuer.addCosignature(
        w.verifierKey(), n.withSignature(CosignatureV1.sign(w, n.text(), time)).encode());
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

  static ReceiptIssuer lingering(Path dir, Duration linger) throws Exception {
    return ReceiptIssuer.open(dir, ReceiptDomain.DEVNET, Clock.systemUTC(), linger);
  }

  @Test
  void announcedRequests_arrivingOneByOne_shareOneBatch(@TempDir Path dir) throws Exception {
    int n = 8;
    try (ReceiptIssuer issuer = lingering(dir, Duration.ofSeconds(30))) {
      List<ReceiptIssuer.Expected> announced = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        announced.add(issuer.expect());
      }
      // Each arrives after the one before was queued: without the linger the signer would take
      // them a few at a time.
      List<CompletableFuture<IssuedReceipt>> fs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        ReceiptIssuer.Expected e = announced.get(i);
        String id = "linger-" + i;
        fs.add(CompletableFuture.supplyAsync(() -> issueQuietly(e, id)));
        Thread.sleep(20);
      }
      for (CompletableFuture<IssuedReceipt> f : fs) {
        IssuedReceipt r = f.get(20, TimeUnit.SECONDS);
        assertThat(r.receipt().batch()).isPresent();
        assertThat(r.receipt().batch().get().size()).isEqualTo(n);
        BundleVerifier.verify(
            r.bundle(), VerifyOptions.trusting(issuer.logKey()).domain(issuer.domain()));
      }
      assertThat(issuer.signatureCount()).isEqualTo(1);
    }
  }

  @Test
  void loneRequest_neverWaitsForTheLinger(@TempDir Path dir) throws Exception {
    try (ReceiptIssuer issuer = lingering(dir, Duration.ofMinutes(10))) {
      try (ReceiptIssuer.Expected e = issuer.expect()) {
        IssuedReceipt r =
            CompletableFuture.supplyAsync(() -> issueQuietly(e, "lone")).get(20, TimeUnit.SECONDS);
        assertThat(r.receipt().batch()).isEmpty();
      }
      // Not announced at all: signed at once too.
      assertThat(issuer.issueAsync(draft("plain")).get(20, TimeUnit.SECONDS).logIndex())
          .isEqualTo(1);
    }
  }

  @Test
  void announcedRequestThatFails_releasesTheWaitingBatch(@TempDir Path dir) throws Exception {
    try (ReceiptIssuer issuer = lingering(dir, Duration.ofMinutes(10))) {
      ReceiptIssuer.Expected ok = issuer.expect();
      ReceiptIssuer.Expected failing = issuer.expect();
      CompletableFuture<IssuedReceipt> f =
          CompletableFuture.supplyAsync(() -> issueQuietly(ok, "survivor"));
      Thread.sleep(100);
      assertThat(f).isNotDone(); // lingering for the second announced request
      failing.close(); // its inference failed: nothing more is coming
      assertThat(f.get(20, TimeUnit.SECONDS).requestId()).isEqualTo("survivor");
      failing.close(); // closing twice counts once
      ok.close(); // after issue: no effect
      // Nothing is announced any more, so the next request is not held back either.
      assertThat(issuer.issueAsync(draft("next")).get(20, TimeUnit.SECONDS).logIndex())
          .isEqualTo(1);
    }
  }

  @Test
  void linger_isBounded_whenAnAnnouncedRequestNeverArrives(@TempDir Path dir) throws Exception {
    try (ReceiptIssuer issuer = lingering(dir, Duration.ofMillis(300))) {
      ReceiptIssuer.Expected slow = issuer.expect();
      long t0 = System.nanoTime();
      IssuedReceipt r = issuer.issue(draft("bounded"));
      long waitedMillis = (System.nanoTime() - t0) / 1_000_000;
      assertThat(r.receipt().batch()).isEmpty();
      // It waited for the announced request, up to the linger, then went alone.
      assertThat(waitedMillis).isGreaterThanOrEqualTo(250);
      IssuedReceipt late = slow.issue(draft("late-arrival"));
      assertThat(late.logIndex()).isEqualTo(1);
    }
  }

  @Test
  void negativeLinger_isRefused(@TempDir Path dir) {
    assertThatThrownBy(() -> lingering(dir, Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("batch linger must not be negative");
  }

  private static IssuedReceipt issueQuietly(ReceiptIssuer.Expected e, String id) {
    try {
      return e.issue(draft(id));
    } catch (java.io.IOException x) {
      throw new java.io.UncheckedIOException(x);
    }
  }
}
