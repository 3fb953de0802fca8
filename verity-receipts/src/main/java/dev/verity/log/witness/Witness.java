package dev.verity.log.witness;

import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.log.ConsistencyProof;
import dev.verity.log.InvalidProofException;
import dev.verity.log.fs.AtomicFiles;
import dev.verity.log.note.Checkpoint;
import dev.verity.log.note.Note;
import dev.verity.log.note.NoteSignature;
import dev.verity.log.note.NoteSigner;
import dev.verity.log.note.NoteVerificationException;
import dev.verity.log.note.SignedCheckpoint;
import dev.verity.log.note.VerifierKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Witnesses other nodes' logs: for each origin it keeps the last checkpoint it cosigned (in {@code
 * state/}), cosigns a newer checkpoint only after checking the log's signature and a consistency
 * proof from that one, and keeps {@link ForkEvidence} (in {@code forks/}) when two checkpoints
 * disagree. State is written before the cosignature is returned, so a restart never cosigns a view
 * inconsistent with one it already cosigned.
 */
public final class Witness {
  private static final Logger LOG = LoggerFactory.getLogger(Witness.class);

  private final Path dir;
  private final NoteSigner key;
  private final Map<String, VerifierKey> logs;
  private final Clock clock;

  /** {@code logs} maps each witnessed log's origin to its checkpoint verifier key. */
  public Witness(Path dir, NoteSigner key, Map<String, VerifierKey> logs, Clock clock) {
    this.dir = Objects.requireNonNull(dir, "dir");
    this.key = Objects.requireNonNull(key, "key");
    if (key.verifierKey().type() != VerifierKey.COSIGNATURE_V1) {
      throw new IllegalArgumentException("a witness key must have signature type 0x04");
    }
    this.logs = Map.copyOf(logs);
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  public VerifierKey verifierKey() {
    return key.verifierKey();
  }

  /**
   * Cosigns {@code checkpointNote} if it is signed by its log and consistent with what this witness
   * cosigned before; {@code proof} must go from the previously cosigned size to the new size
   * (ignored on first contact and for equal sizes).
   *
   * @return the cosignature line to append to the checkpoint
   */
  public synchronized NoteSignature cosign(String checkpointNote, ConsistencyProof proof)
      throws NoteVerificationException,
          ForkDetectedException,
          StaleCheckpointException,
          IOException {
    Note note = Note.parse(checkpointNote);
    Checkpoint body = Checkpoint.parse(note.text());
    VerifierKey logKey = logs.get(body.origin());
    if (logKey == null) {
      throw new NoteVerificationException("witness does not follow log '" + body.origin() + "'");
    }
    SignedCheckpoint offered = SignedCheckpoint.verify(note, logKey);
    Optional<SignedCheckpoint> last = lastCosigned(body.origin(), logKey);
    if (last.isPresent()) {
      Checkpoint old = last.get().checkpoint();
      if (body.size() < old.size()) {
        throw new StaleCheckpointException(body.origin(), body.size(), old.size());
      }
      if (body.size() == old.size()) {
        if (!body.rootHash().equals(old.rootHash())) {
          throw fork(ForkEvidence.Kind.SAME_SIZE_DIFFERENT_ROOT, last.get(), offered, List.of());
        }
      } else {
        if (proof.oldSize() != old.size() || proof.newSize() != body.size()) {
          throw new IllegalArgumentException(
              "consistency proof is for sizes "
                  + proof.oldSize()
                  + " to "
                  + proof.newSize()
                  + "; the witness needs "
                  + old.size()
                  + " to "
                  + body.size());
        }
        try {
          proof.verify(old.rootHash(), body.rootHash());
        } catch (InvalidProofException e) {
          throw fork(ForkEvidence.Kind.CONSISTENCY_PROOF_FAILED, last.get(), offered, proof.path());
        }
      }
    }
    // Persist first: never hand out a cosignature the witness could forget.
    AtomicFiles.write(
        statePath(body.origin()), offered.note().encode().getBytes(StandardCharsets.UTF_8));
    long now = clock.instant().getEpochSecond();
    return CosignatureV1.sign(key, note.text(), now);
  }

  /**
   * Handles a C2SP tlog-witness {@code add-checkpoint} request body: {@code old <size>\n}, up to 63
   * base64 consistency proof lines, an empty line, then the signed checkpoint. Checking the old
   * size and persisting the new checkpoint happen under one lock, as the specification requires.
   */
  public synchronized AddCheckpointResult addCheckpoint(String body) throws IOException {
    int sep = body.indexOf("\n\n");
    if (sep < 0) {
      return new AddCheckpointResult.BadRequest("request has no empty line before the checkpoint");
    }
    String[] head = body.substring(0, sep).split("\n", -1);
    if (!head[0].matches("old (0|[1-9][0-9]{0,18})")) {
      return new AddCheckpointResult.BadRequest("first line must be 'old <size>'");
    }
    long oldSize;
    try {
      oldSize = Long.parseLong(head[0].substring(4));
    } catch (NumberFormatException e) {
      return new AddCheckpointResult.BadRequest("old size is too large");
    }
    if (head.length - 1 > 63) {
      return new AddCheckpointResult.BadRequest("more than 63 consistency proof lines");
    }
    List<Bytes> path = new java.util.ArrayList<>();
    for (int i = 1; i < head.length; i++) {
      byte[] h;
      try {
        h = java.util.Base64.getDecoder().decode(head[i]);
      } catch (IllegalArgumentException e) {
        return new AddCheckpointResult.BadRequest("proof line " + i + " is not base64");
      }
      if (h.length != 32) {
        return new AddCheckpointResult.BadRequest("proof line " + i + " is not a 32-byte hash");
      }
      path.add(Bytes.copyOf(h));
    }
    Note note;
    Checkpoint body2;
    try {
      note = Note.parse(body.substring(sep + 2));
      body2 = Checkpoint.parse(note.text());
    } catch (IllegalArgumentException e) {
      return new AddCheckpointResult.BadRequest("malformed checkpoint: " + e.getMessage());
    }
    VerifierKey logKey = logs.get(body2.origin());
    if (logKey == null) {
      return new AddCheckpointResult.UnknownLog(body2.origin());
    }
    try {
      SignedCheckpoint.verify(note, logKey);
    } catch (NoteVerificationException e) {
      return new AddCheckpointResult.Forbidden(e.getMessage());
    }
    if (oldSize > body2.size()) {
      return new AddCheckpointResult.BadRequest("old size is larger than the checkpoint size");
    }
    long latest = lastCosigned(body2.origin(), logKey).map(c -> c.checkpoint().size()).orElse(0L);
    if (oldSize != latest) {
      return new AddCheckpointResult.Conflict(latest);
    }
    if (oldSize == 0 && !path.isEmpty()) {
      return new AddCheckpointResult.BadRequest("the proof must be empty when the old size is 0");
    }
    try {
      NoteSignature s = cosign(note.encode(), new ConsistencyProof(oldSize, body2.size(), path));
      return new AddCheckpointResult.Cosigned(s.line());
    } catch (ForkDetectedException e) {
      return new AddCheckpointResult.Fork(e.evidence(), e.file());
    } catch (NoteVerificationException e) {
      return new AddCheckpointResult.Forbidden(e.getMessage());
    } catch (StaleCheckpointException e) {
      return new AddCheckpointResult.Conflict(e.witnessedSize());
    }
  }

  /** The last checkpoint this witness cosigned for {@code origin}. */
  public synchronized Optional<SignedCheckpoint> lastCosigned(String origin) throws IOException {
    VerifierKey k = logs.get(origin);
    if (k == null) {
      return Optional.empty();
    }
    return lastCosigned(origin, k);
  }

  private Optional<SignedCheckpoint> lastCosigned(String origin, VerifierKey logKey)
      throws IOException {
    Path p = statePath(origin);
    if (!Files.exists(p)) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          SignedCheckpoint.verify(Files.readString(p, StandardCharsets.UTF_8), logKey));
    } catch (NoteVerificationException | IllegalArgumentException e) {
      throw new IOException("witness state for " + origin + " is damaged: " + e.getMessage(), e);
    }
  }

  private ForkDetectedException fork(
      ForkEvidence.Kind kind, SignedCheckpoint earlier, SignedCheckpoint later, List<Bytes> proof)
      throws IOException {
    ForkEvidence ev =
        new ForkEvidence(
            kind,
            earlier.checkpoint().origin(),
            earlier.encode(),
            later.encode(),
            proof,
            clock.instant().getEpochSecond());
    String json = ev.toJson();
    Path file =
        dir.resolve("forks")
            .resolve(
                originId(ev.origin())
                    + "-"
                    + Digest.of(json.getBytes(StandardCharsets.UTF_8)).hex().substring(0, 16)
                    + ".json");
    AtomicFiles.write(file, json.getBytes(StandardCharsets.UTF_8));
    LOG.error("fork detected in log {} ({}); evidence in {}", ev.origin(), kind, file);
    return new ForkDetectedException(ev, file);
  }

  private Path statePath(String origin) {
    return dir.resolve("state").resolve(originId(origin));
  }

  // Origins are arbitrary text; hashing them keeps file names safe from path traversal.
  private static String originId(String origin) {
    return Digest.of(origin.getBytes(StandardCharsets.UTF_8)).hex().substring(0, 32);
  }
}
