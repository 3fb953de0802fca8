package dev.verity.log;

import dev.verity.core.Bytes;
import java.util.Objects;

/** A durably appended entry: its index and RFC 9162 leaf hash. */
public record Appended(long index, Bytes leafHash) {
  public Appended {
    if (index < 0) {
      throw new IllegalArgumentException("index must not be negative");
    }
    Objects.requireNonNull(leafHash, "leafHash");
  }
}
