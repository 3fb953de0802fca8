package dev.verity.llm.trace;

/** A trace leaf, proof or re-executed step does not match the commitment it was checked against. */
public class TraceVerificationException extends Exception {
  public TraceVerificationException(String message) {
    super(message);
  }
}
