package dev.verity.hub.store;

import dev.verity.core.VerityException;

/** The parent chain of a manifest is inconsistent (a cycle, or too deep). */
public class LineageException extends VerityException {
  public LineageException(String message) {
    super(message);
  }
}
