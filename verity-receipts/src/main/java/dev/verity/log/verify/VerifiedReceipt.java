package dev.verity.log.verify;

import dev.verity.log.note.Checkpoint;
import dev.verity.receipt.SignedReceipt;
import java.util.List;

/** A receipt that passed every check, with the checkpoint and witnesses that vouch for it. */
public record VerifiedReceipt(
    SignedReceipt receipt, long logIndex, Checkpoint checkpoint, List<String> witnesses) {
  public VerifiedReceipt {
    witnesses = List.copyOf(witnesses);
  }
}
