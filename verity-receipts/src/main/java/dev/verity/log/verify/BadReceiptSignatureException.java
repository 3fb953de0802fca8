package dev.verity.log.verify;

/** The receipt's signature does not verify or does not come from the node it names. */
public final class BadReceiptSignatureException extends BundleVerificationException {
  public BadReceiptSignatureException(String message, Throwable cause) {
    super(message, cause);
  }

  public BadReceiptSignatureException(String message) {
    super(message, null);
  }
}
