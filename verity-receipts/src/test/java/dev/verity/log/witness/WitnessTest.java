package dev.verity.log.witness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.core.Bytes;
import dev.verity.log.ConsistencyProof;
import dev.verity.log.MemoryHashStore;
import dev.verity.log.MerkleTree;
import dev.verity.log.Rfc9162;
import dev.verity.log.TestKeys;
import dev.verity.log.note.Checkpoint;
import dev.verity.log.note.Note;
import dev.verity.log.note.NoteSignature;
import dev.verity.log.note.NoteSigner;
import dev.verity.log.note.NoteVerificationException;
import dev.verity.log.note.SignedCheckpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WitnessTest {
  @TempDir Path dir;
  static final NoteSigner LOG = TestKeys.logSigner();
  static final NoteSigner W = TestKeys.witnessSigner("witness.verity.test/w1");
  static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(1_764_000_000L), ZoneOffset.UTC);

  final MemoryHashStore store = new MemoryHashStore();
  final MerkleTree tree = new MerkleTree(store);

  Witness witness() {
    return new Witness(dir, W, Map.of(LOG.name(), LOG.verifierKey()), CLOCK);
  }

  String checkpointAt(long size) {
    while (store.size() < size) {
      store.append(Rfc9162.leafHash(("e" + store.size()).getBytes()));
    }
    return SignedCheckpoint.sign(new Checkpoint(LOG.name(), size, tree.rootHash(size)), LOG)
        .encode();
  }

  @Test
  void cosign_consistentGrowth_producesVerifiableCosignatures() throws Exception {
    Witness w = witness();
    String c5 = checkpointAt(5);
    NoteSignature s5 = w.cosign(c5, new ConsistencyProof(0, 5, List.of()));
    Note cosigned = Note.parse(c5).withSignature(s5);
    assertThat(CosignatureV1.verify(cosigned, W.verifierKey())).isEqualTo(1_764_000_000L);
    String c9 = checkpointAt(9);
    NoteSignature s9 = w.cosign(c9, tree.consistencyProof(5, 9));
    CosignatureV1.verify(Note.parse(c9).withSignature(s9), W.verifierKey());
    // A fresh witness object over the same directory remembers size 9.
    assertThat(witness().lastCosigned(LOG.name()).orElseThrow().checkpoint().size()).isEqualTo(9);
    assertThatThrownBy(() -> witness().cosign(c5, new ConsistencyProof(5, 9, List.of())))
        .isInstanceOf(StaleCheckpointException.class);
  }

  @Test
  void cosignature_coversCheckpointText() throws Exception {
    String c5 = checkpointAt(5);
    NoteSignature s = witness().cosign(c5, new ConsistencyProof(0, 5, List.of()));
    Note tampered = Note.parse(c5.replaceFirst("\n5\n", "\n6\n")).withSignature(s);
    assertThatThrownBy(() -> CosignatureV1.verify(tampered, W.verifierKey()))
        .isInstanceOf(NoteVerificationException.class);
  }

  @Test
  void cosign_sameSizeDifferentRoot_reportsAndKeepsForkEvidence() throws Exception {
    Witness w = witness();
    w.cosign(checkpointAt(4), new ConsistencyProof(0, 4, List.of()));
    String forked =
        SignedCheckpoint.sign(new Checkpoint(LOG.name(), 4, Rfc9162.EMPTY_ROOT), LOG).encode();
    ForkDetectedException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            ForkDetectedException.class,
            () -> w.cosign(forked, new ConsistencyProof(4, 4, List.of())));
    assertThat(e.evidence().kind()).isEqualTo(ForkEvidence.Kind.SAME_SIZE_DIFFERENT_ROOT);
    assertThat(e.getMessage()).contains("fork detected");
    String stored = Files.readString(e.file());
    assertThat(stored).contains(forked.split("\n")[2]).contains("SAME_SIZE_DIFFERENT_ROOT");
    SignedCheckpoint.verify(e.evidence().laterCheckpoint(), LOG.verifierKey());
    SignedCheckpoint.verify(e.evidence().earlierCheckpoint(), LOG.verifierKey());
  }

  @Test
  void cosign_failedConsistencyProof_reportsFork() throws Exception {
    Witness w = witness();
    w.cosign(checkpointAt(4), new ConsistencyProof(0, 4, List.of()));
    // The log rewrote history: a size-8 tree that does not extend the size-4 tree.
    MemoryHashStore other = new MemoryHashStore();
    for (int i = 0; i < 8; i++) {
      other.append(Rfc9162.leafHash(("rewritten" + i).getBytes()));
    }
    MerkleTree t2 = new MerkleTree(other);
    String c8 = SignedCheckpoint.sign(new Checkpoint(LOG.name(), 8, t2.rootHash(8)), LOG).encode();
    ForkDetectedException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            ForkDetectedException.class, () -> w.cosign(c8, t2.consistencyProof(4, 8)));
    assertThat(e.evidence().kind()).isEqualTo(ForkEvidence.Kind.CONSISTENCY_PROOF_FAILED);
    assertThat(Files.list(dir.resolve("forks")).count()).isEqualTo(1);
    // The witness did not move on to the forked view.
    assertThat(w.lastCosigned(LOG.name()).orElseThrow().checkpoint().size()).isEqualTo(4);
  }

  @Test
  void cosign_badLogSignatureOrUnknownLog_rejected() throws Exception {
    String forged =
        SignedCheckpoint.sign(
                new Checkpoint(LOG.name(), 3, Rfc9162.EMPTY_ROOT), TestKeys.otherLogSigner())
            .encode();
    assertThatThrownBy(() -> witness().cosign(forged, new ConsistencyProof(0, 3, List.of())))
        .isInstanceOf(NoteVerificationException.class);
    NoteSigner stranger =
        NoteSigner.fromSeed(
            "stranger.example/log", dev.verity.log.note.VerifierKey.ED25519, new byte[32]);
    String unknown =
        SignedCheckpoint.sign(new Checkpoint(stranger.name(), 1, Rfc9162.EMPTY_ROOT), stranger)
            .encode();
    assertThatThrownBy(() -> witness().cosign(unknown, new ConsistencyProof(0, 1, List.of())))
        .hasMessageContaining("does not follow");
  }

  @Test
  void cosign_proofForWrongSizes_rejected() throws Exception {
    Witness w = witness();
    w.cosign(checkpointAt(4), new ConsistencyProof(0, 4, List.of()));
    String c9 = checkpointAt(9);
    assertThatThrownBy(() -> w.cosign(c9, tree.consistencyProof(5, 9)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs 4 to 9");
  }

  static String request(long old, List<Bytes> proof, String checkpoint) {
    StringBuilder sb = new StringBuilder("old ").append(old).append('\n');
    proof.forEach(
        h -> sb.append(java.util.Base64.getEncoder().encodeToString(h.toByteArray())).append('\n'));
    return sb.append('\n').append(checkpoint).toString();
  }

  @Test
  void addCheckpoint_tlogWitnessProtocol_statusPerSpecification() throws Exception {
    Witness w = witness();
    String c4 = checkpointAt(4);
    AddCheckpointResult first = w.addCheckpoint(request(0, List.of(), c4));
    assertThat(first.status()).isEqualTo(200);
    assertThat(first.body()).startsWith("\u2014 witness.verity.test/w1 ").endsWith("\n");
    // The response lines appended to the checkpoint verify as a cosignature.
    CosignatureV1.verify(Note.parse(c4 + first.body()), W.verifierKey());

    String c9 = checkpointAt(9);
    assertThat(w.addCheckpoint(request(3, tree.consistencyProof(3, 9).path(), c9)))
        .isEqualTo(new AddCheckpointResult.Conflict(4));
    assertThat(w.addCheckpoint(request(4, tree.consistencyProof(4, 9).path(), c9)).status())
        .isEqualTo(200);
    assertThat(w.addCheckpoint(request(10, List.of(), c9)).status()).isEqualTo(400);
    assertThat(w.addCheckpoint("old 01\n\n" + c9).status()).isEqualTo(400);
    assertThat(w.addCheckpoint("old 9\nnot base64!\n\n" + c9).status()).isEqualTo(400);
    String forged =
        SignedCheckpoint.sign(
                new Checkpoint(LOG.name(), 12, Rfc9162.EMPTY_ROOT), TestKeys.otherLogSigner())
            .encode();
    assertThat(w.addCheckpoint(request(9, List.of(), forged)).status()).isEqualTo(403);
    NoteSigner stranger =
        NoteSigner.fromSeed(
            "stranger.example/log", dev.verity.log.note.VerifierKey.ED25519, new byte[32]);
    String unknown =
        SignedCheckpoint.sign(new Checkpoint(stranger.name(), 1, Rfc9162.EMPTY_ROOT), stranger)
            .encode();
    assertThat(w.addCheckpoint(request(0, List.of(), unknown)).status()).isEqualTo(404);
    // Same size, other root: 409 and stored evidence.
    String fork9 =
        SignedCheckpoint.sign(new Checkpoint(LOG.name(), 9, Rfc9162.EMPTY_ROOT), LOG).encode();
    AddCheckpointResult r = w.addCheckpoint(request(9, List.of(), fork9));
    assertThat(r).isInstanceOf(AddCheckpointResult.Fork.class);
    assertThat(r.status()).isEqualTo(409);
    // Bad proof to a larger size: 422 and stored evidence.
    String c12 = checkpointAt(12);
    List<Bytes> bad = new java.util.ArrayList<>(tree.consistencyProof(9, 12).path());
    bad.set(0, Rfc9162.EMPTY_ROOT);
    assertThat(w.addCheckpoint(request(9, bad, c12)).status()).isEqualTo(422);
    assertThat(Files.list(dir.resolve("forks")).count()).isEqualTo(2);
  }

  @net.jqwik.api.Property(tries = 300)
  void addCheckpoint_arbitraryBody_neverThrows(@net.jqwik.api.ForAll String body) throws Exception {
    // Nothing is ever written for a request that is not validly signed, so no directory is needed.
    Path d = Path.of("target/witness-fuzz-never-created");
    AddCheckpointResult r =
        new Witness(d, W, Map.of(LOG.name(), LOG.verifierKey()), CLOCK).addCheckpoint(body);
    assertThat(r.status()).isIn(400, 403, 404, 409);
    assertThat(Files.exists(d)).isFalse();
  }

  @Test
  void witnessKey_mustBeCosignatureType() {
    assertThatThrownBy(() -> new Witness(dir, LOG, Map.of(), CLOCK)).hasMessageContaining("0x04");
    assertThat(Bytes.copyOf(new byte[1])).isNotNull();
  }
}
