package dev.verity.hub.store;

import dev.verity.core.VerityException;

/** A byte range does not lie within the blob (HTTP 416). */
public class InvalidRangeException extends VerityException {
  private final long size;

  public InvalidRangeException(String message, long size) {
    super(message);
    this.size = size;
  }

  /** The blob's size, for a Content-Range: bytes *&#47;size answer. */
  public long size() {
    return size;
  }
}
