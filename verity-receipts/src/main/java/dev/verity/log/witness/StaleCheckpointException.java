package dev.verity.log.witness;

/** The checkpoint is older than the one the witness already cosigned for that log. */
public final class StaleCheckpointException extends Exception {
  private final long witnessedSize;

  public StaleCheckpointException(String origin, long offered, long witnessedSize) {
    super(
        "checkpoint of "
            + origin
            + " has size "
            + offered
            + " but the witness already cosigned size "
            + witnessedSize);
    this.witnessedSize = witnessedSize;
  }

  public long witnessedSize() {
    return witnessedSize;
  }
}
