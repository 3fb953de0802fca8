package dev.verity.client;

import java.util.Objects;

/**
 * An inference bundle failed offline verification. {@link #failure()} says which check failed; the
 * message says exactly what (which signature, which tensor, which sizes).
 */
public final class VerificationException extends Exception {
  /** The check that failed, in the order {@link ReceiptVerifier} runs them. */
  public enum Failure {
    /** The receipt's signature does not recover to the node it names (or the wrong domain). */
    BAD_RECEIPT_SIGNATURE("bad receipt signature"),
    /** The checkpoint is not signed by the trusted log key. */
    BAD_CHECKPOINT_SIGNATURE("bad checkpoint signature"),
    /** The inclusion proof does not lead from the receipt to the checkpoint's root. */
    NOT_IN_LOG("receipt not in log"),
    /** Fewer valid witness cosignatures than required. */
    MISSING_COSIGNATURE("missing witness cosignature"),
    /** The checkpoint contradicts one seen before (or no proof that it does not). */
    CHECKPOINT_INCONSISTENT("checkpoint not consistent"),
    /** The bundled manifest is not the receipt's model or its signature is bad. */
    BAD_MANIFEST("bad model manifest"),
    /** The local model files are not the ones the manifest lists. */
    MODEL_FILES_MISMATCH("model files do not match the manifest"),
    /** The bundled inputs or outputs do not hash to the receipt's digests. */
    BUNDLE_TENSORS_MISMATCH("bundled tensors do not match the receipt"),
    /** Re-execution produced other outputs. */
    OUTPUT_DIFFERS("output differs"),
    /** Re-execution produced the same outputs but another trace commitment. */
    TRACE_DIFFERS("trace root differs"),
    /** Re-execution could not run (no inputs, model not loadable, ...). */
    REEXECUTION_FAILED("re-execution failed");

    private final String label;

    Failure(String label) {
      this.label = label;
    }

    /** A short human label, such as {@code bad receipt signature}. */
    public String label() {
      return label;
    }
  }

  private final Failure failure;

  public VerificationException(Failure failure, String message, Throwable cause) {
    super(message, cause);
    this.failure = Objects.requireNonNull(failure, "failure");
  }

  public VerificationException(Failure failure, String message) {
    this(failure, message, null);
  }

  public Failure failure() {
    return failure;
  }
}
