package dev.verity.core;

/**
 * Base of Verity's checked exceptions. Every subclass carries a message that names the problem
 * precisely enough for a user to act on it (which field, which file, expected versus actual).
 */
public class VerityException extends Exception {
  public VerityException(String message) {
    super(message);
  }

  public VerityException(String message, Throwable cause) {
    super(message, cause);
  }
}
