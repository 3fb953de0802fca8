package dev.verity.log.verify;

/** The checkpoint lacks the required number of valid witness cosignatures. */
public final class MissingCosignatureException extends BundleVerificationException {
  public MissingCosignatureException(String message, Throwable cause) {
    super(message, cause);
  }

  public MissingCosignatureException(String message) {
    super(message, null);
  }
}
