package dev.verity.hub.store;

import dev.verity.core.Digest;
import dev.verity.core.VerityException;

/**
 * An upload chunk does not start where the upload currently ends (or conflicts with the upload's
 * declared size). The client should ask for {@link #currentOffset()} and resume from there.
 */
public class UploadOffsetException extends VerityException {
  private final long currentOffset;

  public UploadOffsetException(Digest digest, long currentOffset, String message) {
    super("upload of " + digest + ": " + message);
    this.currentOffset = currentOffset;
  }

  public long currentOffset() {
    return currentOffset;
  }
}
