package dev.verity.log.verify;

/** The checkpoint is not (or cannot be shown to be) consistent with a previously seen one. */
public final class InconsistentCheckpointException extends BundleVerificationException {
  public InconsistentCheckpointException(String message, Throwable cause) {
    super(message, cause);
  }

  public InconsistentCheckpointException(String message) {
    super(message, null);
  }
}
