package dev.verity.log.bundle;

import dev.verity.log.InclusionProof;
import dev.verity.log.note.Note;
import dev.verity.receipt.SignedReceipt;
import java.util.Objects;

/**
 * Everything needed to check a receipt offline: the signed receipt, its inclusion proof (log index
 * and tree size included) and the signed checkpoint note of that tree size, which may carry witness
 * cosignature lines.
 */
public record ReceiptBundle(SignedReceipt receipt, InclusionProof inclusion, String checkpoint) {
  public ReceiptBundle {
    Objects.requireNonNull(receipt, "receipt");
    Objects.requireNonNull(inclusion, "inclusion");
    Objects.requireNonNull(checkpoint, "checkpoint");
    if (checkpoint != lastParsedCheckpoint) {
      Note.parse(checkpoint);
      lastParsedCheckpoint = checkpoint;
    }
  }

  // A node builds the bundles of one commit with the same checkpoint string; parsing it once
  // instead of per receipt matters on the commit thread. Strings are immutable, so the same
  // instance parses the same way.
  private static volatile String lastParsedCheckpoint;

  public long logIndex() {
    return inclusion.index();
  }

  /** The same bundle with the checkpoint replaced, e.g. by one carrying more cosignatures. */
  public ReceiptBundle withCheckpoint(String note) {
    return new ReceiptBundle(receipt, inclusion, note);
  }
}
