package dev.verity.settlement;

import dev.verity.core.Bytes;
import java.time.Instant;
import java.util.Objects;

/** Checkpoint number {@code index} a node anchored in LogAnchor. */
public record AnchoredCheckpoint(long index, long treeSize, Bytes root, Instant anchoredAt) {
  public AnchoredCheckpoint {
    if (index < 0 || treeSize <= 0) {
      throw new IllegalArgumentException("index must be >= 0 and treeSize > 0");
    }
    Objects.requireNonNull(root, "root");
    if (root.length() != 32) {
      throw new IllegalArgumentException("a root hash has 32 bytes");
    }
    Objects.requireNonNull(anchoredAt, "anchoredAt");
  }
}
