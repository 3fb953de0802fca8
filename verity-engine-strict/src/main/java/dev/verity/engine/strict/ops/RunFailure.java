package dev.verity.engine.strict.ops;

/** A run-time failure inside an operator; the engine turns it into an InferenceException. */
public class RunFailure extends RuntimeException {
  public RunFailure(String message) {
    super(message);
  }
}
