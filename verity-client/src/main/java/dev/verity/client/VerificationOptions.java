package dev.verity.client;

import dev.verity.log.ConsistencyProof;
import dev.verity.log.note.VerifierKey;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What an offline verification trusts and checks. Start from {@link #trusting(VerifierKey)} (the
 * log key you pinned) and add witnesses, a previously seen checkpoint, or re-execution against
 * local model files.
 */
public final class VerificationOptions {
  private final VerifierKey logKey;
  private List<VerifierKey> witnesses = List.of();
  private int quorum;
  private String previousCheckpoint;
  private ConsistencyProof consistency;
  private Path modelDir;

  private VerificationOptions(VerifierKey logKey) {
    this.logKey = Objects.requireNonNull(logKey, "logKey");
  }

  public static VerificationOptions trusting(VerifierKey logKey) {
    return new VerificationOptions(logKey);
  }

  /** Require valid cosignatures from at least {@code quorum} of these witness keys. */
  public VerificationOptions witnesses(List<VerifierKey> keys, int quorum) {
    this.witnesses = List.copyOf(keys);
    this.quorum = quorum;
    return this;
  }

  /**
   * The bundle's checkpoint must be consistent with this earlier checkpoint note, proven by {@code
   * proof} (may be null when both have the same size).
   */
  public VerificationOptions previouslySeen(String checkpointNote, ConsistencyProof proof) {
    this.previousCheckpoint = Objects.requireNonNull(checkpointNote, "checkpointNote");
    this.consistency = proof;
    return this;
  }

  /**
   * Re-run the strict engine on the bundled inputs with the model files in {@code dir} (named as in
   * the manifest), and require the receipt's output digest and trace root bit for bit.
   */
  public VerificationOptions reexecute(Path dir) {
    this.modelDir = Objects.requireNonNull(dir, "dir");
    return this;
  }

  public VerifierKey logKey() {
    return logKey;
  }

  public List<VerifierKey> witnesses() {
    return witnesses;
  }

  public int quorum() {
    return quorum;
  }

  public Optional<String> previousCheckpoint() {
    return Optional.ofNullable(previousCheckpoint);
  }

  public Optional<ConsistencyProof> consistency() {
    return Optional.ofNullable(consistency);
  }

  public Optional<Path> modelDir() {
    return Optional.ofNullable(modelDir);
  }
}
