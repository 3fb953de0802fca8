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

  public MerkleTree(HashSource source) {
    this.source = source;
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
    long k = Rfc9162.splitPoint(n);
    return Rfc9162.nodeHash(subtree(start, start + k), subtree(start + k, end));
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
