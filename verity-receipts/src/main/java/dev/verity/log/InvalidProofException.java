package dev.verity.log;

/** A Merkle inclusion or consistency proof does not verify; the message says which check failed. */
public final class InvalidProofException extends Exception {
  public InvalidProofException(String message) {
    super(message);
  }
}
