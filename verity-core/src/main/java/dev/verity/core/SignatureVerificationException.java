package dev.verity.core;

/**
 * A signature did not verify, or nothing was signed by a key the caller trusts. The message says
 * which of these happened and names the keys involved.
 */
public class SignatureVerificationException extends VerityException {
  public SignatureVerificationException(String message) {
    super(message);
  }

  public SignatureVerificationException(String message, Throwable cause) {
    super(message, cause);
  }
}
