package dev.verity.receipt;

/** A receipt's signature is malformed, malleated, or was not made by the node it names. */
public final class ReceiptSignatureException extends Exception {
  public ReceiptSignatureException(String message) {
    super(message);
  }

  public ReceiptSignatureException(String message, Throwable cause) {
    super(message, cause);
  }
}
