package dev.verity.node.config;

/** A configuration value is missing or invalid; the message names the setting and its source. */
public final class NodeConfigException extends RuntimeException {
  public NodeConfigException(String message) {
    super(message);
  }

  public NodeConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
