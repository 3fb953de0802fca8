package dev.verity.hub.store;

import dev.verity.core.Digest;
import java.io.IOException;

/**
 * A stored blob no longer hashes to its name: the file on disk was altered or damaged. Thrown from
 * reads (it is an {@link IOException} so streams can throw it at end of file).
 */
public class CorruptBlobException extends IOException {
  private final Digest expected;
  private final Digest actual;

  public CorruptBlobException(Digest expected, Digest actual) {
    super(
        "stored blob "
            + expected
            + " is corrupt or tampered with: its content hashes to "
            + actual);
    this.expected = expected;
    this.actual = actual;
  }

  public Digest expected() {
    return expected;
  }

  public Digest actual() {
    return actual;
  }
}
