package dev.verity.core;

/** Input is not well-formed: bad JSON, wrong field type, bad base64, an invalid value. */
public class FormatException extends VerityException {
  public FormatException(String message) {
    super(message);
  }

  public FormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
