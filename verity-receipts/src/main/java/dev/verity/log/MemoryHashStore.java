package dev.verity.log;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Every complete subtree hash of an append-only tree, kept in memory level by level in 2 MiB chunks
 * (about 64 bytes per leaf in total). Not thread-safe: {@link TransparencyLog} guards it.
 */
public final class MemoryHashStore implements HashSource {
  private static final int CHUNK_BITS = 16;
  private static final int CHUNK = 1 << CHUNK_BITS;
  private static final int H = Rfc9162.HASH_SIZE;

  private final List<List<byte[]>> levels = new ArrayList<>();
  private final List<Long> counts = new ArrayList<>();

  /** Number of leaves appended. */
  public long size() {
    return counts.isEmpty() ? 0 : counts.getFirst();
  }

  /** Appends one leaf hash and every complete subtree it closes. */
  public void append(byte[] leafHash) {
    if (leafHash.length != H) {
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
    if (level < 0 || level >= counts.size() || index < 0 || index >= counts.get(level)) {
      throw new IllegalArgumentException(
          "no complete subtree at level " + level + " index " + index + " in a tree of " + size());
    }
    return get(level, index);
  }

  private byte[] get(int level, long index) {
    byte[] chunk = levels.get(level).get((int) (index >>> CHUNK_BITS));
    int off = (int) (index & (CHUNK - 1)) * H;
    return Arrays.copyOfRange(chunk, off, off + H);
  }

  private long put(int level, byte[] h) {
    if (level == levels.size()) {
      levels.add(new ArrayList<>());
      counts.add(0L);
    }
    long index = counts.get(level);
    List<byte[]> chunks = levels.get(level);
    int c = (int) (index >>> CHUNK_BITS);
    int off = (int) (index & (CHUNK - 1)) * H;
    if (c == chunks.size()) {
      // Upper levels stay small; start them with a small chunk and grow to the full size.
      chunks.add(new byte[Math.min(CHUNK, 64) * H]);
    }
    byte[] chunk = chunks.get(c);
    if (off + H > chunk.length) {
      chunk = Arrays.copyOf(chunk, Math.min(chunk.length * 2, CHUNK * H));
      chunks.set(c, chunk);
    }
    System.arraycopy(h, 0, chunk, off, H);
    counts.set(level, index + 1);
    return index;
  }
}
