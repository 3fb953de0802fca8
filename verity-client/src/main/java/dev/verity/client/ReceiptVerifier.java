package dev.verity.client;

import dev.verity.client.VerificationException.Failure;
import dev.verity.client.internal.Reexecution;
import dev.verity.core.SignatureVerificationException;
import dev.verity.engine.TensorEncoding;
import dev.verity.log.note.VerifierKey;
import dev.verity.log.verify.BadCheckpointSignatureException;
import dev.verity.log.verify.BadReceiptSignatureException;
import dev.verity.log.verify.BundleVerificationException;
import dev.verity.log.verify.BundleVerifier;
import dev.verity.log.verify.InconsistentCheckpointException;
import dev.verity.log.verify.MissingCosignatureException;
import dev.verity.log.verify.NotInLogException;
import dev.verity.log.verify.ReexecutionFailedException;
import dev.verity.log.verify.VerifiedReceipt;
import dev.verity.log.verify.VerifyOptions;
import dev.verity.receipt.Receipt;

/**
 * Verifies an {@link InferenceBundle} offline, in this order, stopping at the first failure with a
 * {@link VerificationException} that names it: the receipt signature; the checkpoint signature; the
 * receipt's inclusion in the checkpoint's tree; witness cosignatures; consistency with a checkpoint
 * seen before; the model manifest (it must be the receipt's model and carry a valid publisher
 * signature); the bundled inputs and outputs against the receipt's digests; and, if asked, a strict
 * re-execution that must reproduce the output digest and trace root bit for bit. No network is
 * used.
 */
public final class ReceiptVerifier {
  private ReceiptVerifier() {}

  public static VerifiedInference verify(InferenceBundle bundle, VerificationOptions options)
      throws VerificationException {
    VerifyOptions lib = VerifyOptions.trusting(options.logKey());
    if (!options.witnesses().isEmpty() || options.quorum() > 0) {
      try {
        lib.witnesses(options.witnesses(), options.quorum());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("witness options: " + e.getMessage(), e);
      }
    }
    if (options.previousCheckpoint().isPresent()) {
      lib.previouslySeen(options.previousCheckpoint().get(), options.consistency().orElse(null));
    }
    VerifiedReceipt v;
    try {
      v = BundleVerifier.verify(bundle.receipt(), lib);
    } catch (BundleVerificationException e) {
      throw new VerificationException(failureOf(e), e.getMessage(), e);
    }
    Receipt r = bundle.receipt().receipt().receipt();

    if (!bundle.manifest().digest().equals(r.modelDigest())) {
      throw new VerificationException(
          Failure.BAD_MANIFEST,
          "bad model manifest: the bundled manifest is "
              + bundle.manifest().digest()
              + " but the receipt names model "
              + r.modelDigest());
    }
    try {
      bundle.manifest().verify();
    } catch (SignatureVerificationException e) {
      throw new VerificationException(
          Failure.BAD_MANIFEST, "bad model manifest signature: " + e.getMessage(), e);
    }

    if (!bundle.inputs().isEmpty()
        && !TensorEncoding.digest(bundle.inputs()).equals(r.inputDigest())) {
      throw new VerificationException(
          Failure.BUNDLE_TENSORS_MISMATCH,
          "bundled inputs hash to "
              + TensorEncoding.digest(bundle.inputs())
              + " but the receipt's input digest is "
              + r.inputDigest());
    }
    if (!bundle.outputs().isEmpty()
        && !TensorEncoding.digest(bundle.outputs()).equals(r.outputDigest())) {
      throw new VerificationException(
          Failure.BUNDLE_TENSORS_MISMATCH,
          "bundled outputs hash to "
              + TensorEncoding.digest(bundle.outputs())
              + " but the receipt's output digest is "
              + r.outputDigest());
    }

    boolean reexecuted = false;
    if (options.modelDir().isPresent()) {
      Reexecution.check(bundle, options.modelDir().get());
      reexecuted = true;
    }
    return new VerifiedInference(
        v.receipt(),
        v.logIndex(),
        v.checkpoint(),
        v.witnesses(),
        bundle.manifest().manifest().name(),
        bundle.manifest().manifest().version(),
        reexecuted);
  }

  /** Verifies with the log key the bundle itself names: only for a key you already trust. */
  public static VerifierKey bundledLogKey(InferenceBundle bundle) {
    return VerifierKey.parse(bundle.logKey());
  }

  static Failure failureOf(BundleVerificationException e) {
    return switch (e) {
      case BadReceiptSignatureException x -> Failure.BAD_RECEIPT_SIGNATURE;
      case BadCheckpointSignatureException x -> Failure.BAD_CHECKPOINT_SIGNATURE;
      case NotInLogException x -> Failure.NOT_IN_LOG;
      case MissingCosignatureException x -> Failure.MISSING_COSIGNATURE;
      case InconsistentCheckpointException x -> Failure.CHECKPOINT_INCONSISTENT;
      case ReexecutionFailedException x -> Failure.REEXECUTION_FAILED;
    };
  }
}
