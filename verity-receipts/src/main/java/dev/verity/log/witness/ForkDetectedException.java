package dev.verity.log.witness;

import java.nio.file.Path;

/** The witness saw two inconsistent checkpoints of one log; the evidence is stored on disk. */
public final class ForkDetectedException extends Exception {
  private final transient ForkEvidence evidence;
  private final transient Path file;

  public ForkDetectedException(ForkEvidence evidence, Path file) {
    super(
        "fork detected in log "
            + evidence.origin()
            + " ("
            + evidence.kind()
            + "); evidence kept in "
            + file);
    this.evidence = evidence;
    this.file = file;
  }

  public ForkEvidence evidence() {
    return evidence;
  }

  public Path file() {
    return file;
  }
}
