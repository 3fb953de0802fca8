package dev.verity.log.verify;

/** The checkpoint is not validly signed by the trusted log key. */
public final class BadCheckpointSignatureException extends BundleVerificationException {
  public BadCheckpointSignatureException(String message, Throwable cause) {
    super(message, cause);
  }

  public BadCheckpointSignatureException(String message) {
    super(message, null);
  }
}
