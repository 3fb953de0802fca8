package dev.verity.hub.store;

import dev.verity.core.VerityException;

/** Content was shorter or longer than its declared size; nothing of it was kept. */
public class SizeMismatchException extends VerityException {
  public SizeMismatchException(String message) {
    super(message);
  }
}
