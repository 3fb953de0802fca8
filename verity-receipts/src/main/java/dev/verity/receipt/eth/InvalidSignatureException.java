package dev.verity.receipt.eth;

/** A secp256k1 signature is malformed, malleable, or from another key; the message says which. */
public final class InvalidSignatureException extends Exception {
  public InvalidSignatureException(String message) {
    super(message);
  }
}
