package dev.verity.log;

import java.io.IOException;

/**
 * The log on disk cannot be trusted: acknowledged entries are missing or damaged, or the tree does
 * not match the persisted signed checkpoint. Opening refuses rather than silently repairing.
 */
public final class LogCorruptedException extends IOException {
  public LogCorruptedException(String message) {
    super(message);
  }

  public LogCorruptedException(String message, Throwable cause) {
    super(message, cause);
  }
}
