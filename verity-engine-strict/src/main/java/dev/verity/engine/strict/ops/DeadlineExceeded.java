package dev.verity.engine.strict.ops;

/** The run passed its deadline; thrown from between nodes or inside long loops. */
public final class DeadlineExceeded extends RunFailure {
  public DeadlineExceeded(String message) {
    super(message);
  }
}
