package dev.verity.engine;

/** A model could not be loaded; the message names the node, operator or limit at fault. */
public class ModelLoadException extends Exception {
  public ModelLoadException(String message) {
    super(message);
  }

  public ModelLoadException(String message, Throwable cause) {
    super(message, cause);
  }
}
