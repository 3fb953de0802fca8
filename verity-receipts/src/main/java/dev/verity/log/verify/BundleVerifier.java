package dev.verity.log.verify;

import dev.verity.log.ConsistencyProof;
import dev.verity.log.InvalidProofException;
import dev.verity.log.bundle.ReceiptBundle;
import dev.verity.log.note.Checkpoint;
import dev.verity.log.note.Note;
import dev.verity.log.note.NoteFormatException;
import dev.verity.log.note.NoteVerificationException;
import dev.verity.log.note.SignedCheckpoint;
import dev.verity.log.note.VerifierKey;
import dev.verity.log.witness.CosignatureV1;
import dev.verity.receipt.ReceiptSignatureException;
import java.util.ArrayList;
import java.util.List;

/**
 * Verifies a {@link ReceiptBundle} offline, in this order: receipt signature (and domain, if
 * pinned), log signature on the checkpoint, inclusion of the receipt's leaf in the checkpoint's
 * tree, witness cosignatures, consistency with a previously seen checkpoint, and optionally
 * re-execution. The first failure throws its own exception type.
 */
public final class BundleVerifier {
  private BundleVerifier() {}

  /**
   * Verifies against a trusted log key, requiring a cosignature from every listed witness (the list
   * may be empty).
   */
  public static VerifiedReceipt verify(
      ReceiptBundle bundle, VerifierKey logKey, java.util.List<VerifierKey> witnesses)
      throws BundleVerificationException {
    return verify(bundle, VerifyOptions.trusting(logKey).witnesses(witnesses, witnesses.size()));
  }

  public static VerifiedReceipt verify(ReceiptBundle bundle, VerifyOptions options)
      throws BundleVerificationException {
    try {
      bundle.receipt().verify();
    } catch (ReceiptSignatureException e) {
      throw new BadReceiptSignatureException(e.getMessage(), e);
    }
    if (options.domain().isPresent() && !options.domain().get().equals(bundle.receipt().domain())) {
      throw new BadReceiptSignatureException(
          "receipt is signed for chain "
              + bundle.receipt().domain().chainId()
              + " / contract "
              + bundle.receipt().domain().verifyingContract()
              + ", not the expected domain");
    }

    Note note;
    SignedCheckpoint cp;
    try {
      note = Note.parse(bundle.checkpoint());
      cp = SignedCheckpoint.verify(note, options.logKey());
    } catch (NoteVerificationException | NoteFormatException e) {
      throw new BadCheckpointSignatureException("checkpoint signature bad: " + e.getMessage(), e);
    }
    Checkpoint c = cp.checkpoint();

    if (bundle.inclusion().treeSize() != c.size()) {
      throw new NotInLogException(
          "inclusion proof is for tree size "
              + bundle.inclusion().treeSize()
              + " but the checkpoint has size "
              + c.size());
    }
    try {
      bundle.inclusion().verify(bundle.receipt().leafHash(), c.rootHash());
    } catch (InvalidProofException e) {
      throw new NotInLogException(
          "receipt is not in the log at index " + bundle.logIndex() + ": " + e.getMessage(), e);
    }

    List<String> cosigners = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (VerifierKey w : options.witnesses()) {
      try {
        CosignatureV1.verify(note, w);
        cosigners.add(w.name());
      } catch (NoteVerificationException e) {
        problems.add(e.getMessage());
      }
    }
    if (cosigners.size() < options.witnessQuorum()) {
      throw new MissingCosignatureException(
          "checkpoint has "
              + cosigners.size()
              + " valid witness cosignatures, "
              + options.witnessQuorum()
              + " required: "
              + String.join("; ", problems));
    }

    if (options.previousCheckpoint().isPresent()) {
      checkConsistency(c, options);
    }

    if (options.reexecutor().isPresent()) {
      try {
        options.reexecutor().get().reexecute(bundle.receipt());
      } catch (Exception e) {
        throw new ReexecutionFailedException("re-execution failed: " + e.getMessage(), e);
      }
    }
    return new VerifiedReceipt(bundle.receipt(), bundle.logIndex(), c, cosigners);
  }

  private static void checkConsistency(Checkpoint c, VerifyOptions options)
      throws BundleVerificationException {
    Checkpoint prev;
    try {
      prev =
          SignedCheckpoint.verify(options.previousCheckpoint().get(), options.logKey())
              .checkpoint();
    } catch (NoteVerificationException | NoteFormatException e) {
      throw new BadCheckpointSignatureException(
          "previously seen checkpoint signature bad: " + e.getMessage(), e);
    }
    if (prev.size() == c.size()) {
      if (!prev.rootHash().equals(c.rootHash())) {
        throw new InconsistentCheckpointException(
            "checkpoint not consistent: size " + c.size() + " was seen before with another root");
      }
      return;
    }
    Checkpoint small = prev.size() < c.size() ? prev : c;
    Checkpoint large = prev.size() < c.size() ? c : prev;
    ConsistencyProof proof =
        options
            .consistency()
            .orElseThrow(
                () ->
                    new InconsistentCheckpointException(
                        "checkpoint consistency unproven: no consistency proof between sizes "
                            + small.size()
                            + " and "
                            + large.size()));
    if (proof.oldSize() != small.size() || proof.newSize() != large.size()) {
      throw new InconsistentCheckpointException(
          "consistency proof covers sizes "
              + proof.oldSize()
              + " to "
              + proof.newSize()
              + ", needed "
              + small.size()
              + " to "
              + large.size());
    }
    try {
      proof.verify(small.rootHash(), large.rootHash());
    } catch (InvalidProofException e) {
      throw new InconsistentCheckpointException(
          "checkpoint not consistent with the previously seen one: " + e.getMessage(), e);
    }
  }
}
