package dev.verity.log;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Every complete subtree hash of an append-only tree, kept in memory level by level (about 64 bytes
 * per leaf). Not thread-safe: {@link TransparencyLog} guards it.
 */
public final class MemoryHashStore implements HashSource {
  private final List<byte[]> levels = new ArrayList<>();
  private final List<Long> counts = new ArrayList<>();

  /** Number of leaves appended. */
  public long size() {
    return counts.isEmpty() ? 0 : counts.getFirst();
  }

  /** Appends one leaf hash and every complete subtree it closes. */
  public void append(byte[] leafHash) {
    if (leafHash.length != Rfc9162.HASH_SIZE) {
      throw new IllegalArgumentException("leaf hash must be 32 bytes");
    }
    byte[] h = leafHash;
    int level = 0;
    while (true) {
      long index = put(level, h);
      if ((index & 1) == 0) {
        return;
      }
      h = Rfc9162.nodeHash(get(level, index - 1), h);
      level++;
    }
  }

  @Override
  public byte[] completeSubtree(int level, long index) {
    if (level >= counts.size() || index < 0 || index >= counts.get(level)) {
      throw new IllegalArgumentException(
          "no complete subtree at level " + level + " index " + index + " in a tree of " + size());
    }
    return get(level, index);
  }

  private byte[] get(int level, long index) {
    int off = Math.toIntExact(index * Rfc9162.HASH_SIZE);
    return Arrays.copyOfRange(levels.get(level), off, off + Rfc9162.HASH_SIZE);
  }

  private long put(int level, byte[] h) {
    if (level == levels.size()) {
      levels.add(new byte[Rfc9162.HASH_SIZE * 64]);
      counts.add(0L);
    }
    long index = counts.get(level);
    byte[] arr = levels.get(level);
    int off = Math.toIntExact(index * Rfc9162.HASH_SIZE);
    if (off + Rfc9162.HASH_SIZE > arr.length) {
      arr = Arrays.copyOf(arr, Math.toIntExact(Math.min((long) arr.length * 2, Integer.MAX_VALUE)));
      levels.set(level, arr);
    }
    System.arraycopy(h, 0, arr, off, Rfc9162.HASH_SIZE);
    counts.set(level, index + 1);
    return index;
  }
}
