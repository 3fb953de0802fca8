package dev.verity.log.note;

/**
 * A note carries no valid signature from the expected key, or a bad one; the message says which.
 */
public final class NoteVerificationException extends Exception {
  public NoteVerificationException(String message) {
    super(message);
  }
}
