package dev.verity.log.verify;

/** The inclusion proof does not place the receipt in the tree the checkpoint commits to. */
public final class NotInLogException extends BundleVerificationException {
  public NotInLogException(String message, Throwable cause) {
    super(message, cause);
  }

  public NotInLogException(String message) {
    super(message, null);
  }
}
