package dev.verity.engine;

/** A trace opening does not match the committed root: the message says which check failed. */
public class TraceVerificationException extends Exception {
  public TraceVerificationException(String message) {
    super(message);
  }
}
