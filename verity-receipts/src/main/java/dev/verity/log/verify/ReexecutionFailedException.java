package dev.verity.log.verify;

/** Re-executing the inference did not reproduce the receipt. */
public final class ReexecutionFailedException extends BundleVerificationException {
  public ReexecutionFailedException(String message, Throwable cause) {
    super(message, cause);
  }

  public ReexecutionFailedException(String message) {
    super(message, null);
  }
}
