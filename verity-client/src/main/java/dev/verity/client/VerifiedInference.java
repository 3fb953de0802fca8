package dev.verity.client;

import dev.verity.log.note.Checkpoint;
import dev.verity.receipt.SignedReceipt;
import java.util.List;
import java.util.Objects;

/**
 * An inference that passed every requested check: the receipt, where it is in the log, the
 * checkpoint and witnesses that vouch for it, and whether it was re-executed bit for bit.
 */
public record VerifiedInference(
    SignedReceipt receipt,
    long logIndex,
    Checkpoint checkpoint,
    List<String> witnesses,
    String modelName,
    String modelVersion,
    boolean reexecuted) {
  public VerifiedInference {
    Objects.requireNonNull(receipt, "receipt");
    Objects.requireNonNull(checkpoint, "checkpoint");
    witnesses = List.copyOf(witnesses);
  }
}
