package dev.verity.hub.store;

import dev.verity.core.VerityException;

/** Content is larger than a configured limit; nothing of it was kept. */
public class SizeLimitExceededException extends VerityException {
  private final long limit;

  public SizeLimitExceededException(String what, long size, long limit) {
    super(
        what
            + " is too large: "
            + (size < 0 ? "more than " + limit : size)
            + " bytes, limit is "
            + limit
            + " bytes");
    this.limit = limit;
  }

  public long limit() {
    return limit;
  }
}
