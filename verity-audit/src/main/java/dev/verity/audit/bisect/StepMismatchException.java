package dev.verity.audit.bisect;

/** A committed step does not verify or does not match its re-execution. */
public final class StepMismatchException extends Exception {
  public StepMismatchException(String message) {
    super(message);
  }

  public StepMismatchException(String message, Throwable cause) {
    super(message, cause);
  }
}
