package dev.verity.log;

import dev.verity.core.Bytes;
import java.util.ArrayList;
import java.util.List;

/**
 * RFC 9162 section 2.1 tree hash (MTH), inclusion paths (2.1.3.1) and consistency proofs (2.1.4.1),
 * computed from any {@link HashSource} in O(log n) hash reads per result.
 */
public final class MerkleTree {
  private final HashSource source;
  private final boolean appendOnly;

  /**
   * The incomplete subtrees on the right edge of one tree size, {@code hashes[j] =
   * MTH(D[starts[j]:size])}. Every other range a root or proof of that size needs is a complete
   * subtree the source stores, so with these at hand a proof reads hashes instead of rehashing the
   * right edge for every proof of the same size.
   */
  private record RightEdge(long size, long[] starts, byte[][] hashes) {}

  private volatile RightEdge rightEdge;

  /** A tree that asks {@code source} for every hash and remembers nothing. */
  public MerkleTree(HashSource source) {
    this(source, false);
  }

  private MerkleTree(HashSource source, boolean appendOnly) {
    this.source = source;
    this.appendOnly = appendOnly;
  }

  /**
   * A tree over a source that only ever grows (a complete subtree's hash, once there, never
   * changes): it keeps the right-edge hashes of the last tree size it was asked about, so the roots
   * and proofs of one size share them. Thread-safe if the source's reads are.
   */
  public static MerkleTree ofAppendOnly(HashSource source) {
    return new MerkleTree(source, true);
  }

  /** MTH(D[0:size]). */
  public Bytes rootHash(long size) {
    checkNonNegative(size, "tree size");
    if (size == 0) {
      return Rfc9162.EMPTY_ROOT;
    }
    return Bytes.copyOf(subtree(0, size));
  }

  /** PATH(index, D[0:size]), ordered from the leaf's sibling up to the root's child. */
  public InclusionProof inclusionProof(long index, long size) {
    if (index < 0 || index >= size) {
      throw new IllegalArgumentException(
          "leaf index " + index + " is not inside a tree of size " + size);
    }
    List<Bytes> path = new ArrayList<>();
    path(index, 0, size, path);
    return new InclusionProof(index, size, path);
  }

  /** PROOF(oldSize, D[0:newSize]); empty when oldSize is 0 or equals newSize. */
  public ConsistencyProof consistencyProof(long oldSize, long newSize) {
    checkNonNegative(oldSize, "old tree size");
    if (oldSize > newSize) {
      throw new IllegalArgumentException(
          "old tree size " + oldSize + " is larger than new tree size " + newSize);
    }
    List<Bytes> proof = new ArrayList<>();
    if (oldSize > 0 && oldSize < newSize) {
      subproof(oldSize, 0, newSize, true, proof);
    }
    return new ConsistencyProof(oldSize, newSize, proof);
  }

  /** MTH(D[start:end]) for a range produced by the RFC 9162 recursion (or any non-empty range). */
  public byte[] subtree(long start, long end) {
    long n = end - start;
    if (n <= 0) {
      throw new IllegalArgumentException("empty range [" + start + ", " + end + ")");
    }
    if (Long.bitCount(n) == 1 && start % n == 0) {
      return source.completeSubtree(Long.numberOfTrailingZeros(n), start / n);
    }
    if (appendOnly) {
      RightEdge edge = rightEdge(end);
      for (int j = 0; j < edge.starts().length; j++) {
        if (edge.starts()[j] == start) {
          return edge.hashes()[j].clone();
        }
      }
    }
    long k = Rfc9162.splitPoint(n);
    return Rfc9162.nodeHash(subtree(start, start + k), subtree(start + k, end));
  }

  /**
   * The right edge of the tree of {@code size} leaves: the ranges {@code [start, size)} the RFC
   * 9162 recursion meets that are not complete subtrees, one per set bit of {@code size} but the
   * lowest, hashed bottom up ({@code bitCount(size) - 1} node hashes).
   */
  private RightEdge rightEdge(long size) {
    RightEdge cached = rightEdge;
    if (cached != null && cached.size() == size) {
      return cached;
    }
    int m = Long.bitCount(size) - 1;
    long[] starts = new long[m];
    long x = 0;
    for (int j = 0; j < m; j++) {
      starts[j] = x;
      x += Long.highestOneBit(size - x);
    }
    byte[][] hashes = new byte[m][];
    byte[] h = complete(x, size);
    for (int j = m - 1; j >= 0; j--) {
      h =
          Rfc9162.nodeHash(
              complete(starts[j], starts[j] + Long.highestOneBit(size - starts[j])), h);
      hashes[j] = h;
    }
    RightEdge edge = new RightEdge(size, starts, hashes);
    rightEdge = edge;
    return edge;
  }

  private byte[] complete(long start, long end) {
    long n = end - start;
    return source.completeSubtree(Long.numberOfTrailingZeros(n), start / n);
  }

  private void path(long m, long start, long end, List<Bytes> out) {
    long n = end - start;
    if (n <= 1) {
      return;
    }
    long k = Rfc9162.splitPoint(n);
    if (m < k) {
      path(m, start, start + k, out);
      out.add(Bytes.copyOf(subtree(start + k, end)));
    } else {
      path(m - k, start + k, end, out);
      out.add(Bytes.copyOf(subtree(start, start + k)));
    }
  }

  private void subproof(long m, long start, long end, boolean b, List<Bytes> out) {
    long n = end - start;
    if (m == n) {
      if (!b) {
        out.add(Bytes.copyOf(subtree(start, end)));
      }
      return;
    }
    long k = Rfc9162.splitPoint(n);
    if (m <= k) {
      subproof(m, start, start + k, b, out);
      out.add(Bytes.copyOf(subtree(start + k, end)));
    } else {
      subproof(m - k, start + k, end, false, out);
      out.add(Bytes.copyOf(subtree(start, start + k)));
    }
  }

  private static void checkNonNegative(long v, String what) {
    if (v < 0) {
      throw new IllegalArgumentException(what + " must not be negative: " + v);
    }
  }
}
