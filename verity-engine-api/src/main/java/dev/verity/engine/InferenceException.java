package dev.verity.engine;

/** A run failed: bad input, exceeded limit, deadline passed, or an engine error. */
public class InferenceException extends Exception {
  public InferenceException(String message) {
    super(message);
  }

  public InferenceException(String message, Throwable cause) {
    super(message, cause);
  }
}
