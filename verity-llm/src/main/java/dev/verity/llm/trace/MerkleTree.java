package dev.verity.llm.trace;

import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * RFC 9162 Merkle tree hashing with SHA-256: a leaf hashes {@code 0x00 || data}, an interior node
 * {@code 0x01 || left || right}, the split point is the largest power of two smaller than the
 * number of leaves, and the empty tree hashes to SHA-256 of nothing.
 */
public final class MerkleTree {
  private MerkleTree() {}

  public static Digest leafHash(byte[] data) {
    MessageDigest md = Digest.newSha256();
    md.update((byte) 0x00);
    md.update(data);
    return new Digest(Bytes.copyOf(md.digest()));
  }

  static byte[] nodeHash(MessageDigest md, byte[] left, byte[] right) {
    md.reset();
    md.update((byte) 0x01);
    md.update(left);
    md.update(right);
    return md.digest();
  }

  /** The root over leaf hashes given in order. */
  public static Digest root(List<byte[]> leafHashes) {
    if (leafHashes.isEmpty()) {
      return new Digest(Bytes.copyOf(Digest.newSha256().digest()));
    }
    return new Digest(Bytes.copyOf(subtree(Digest.newSha256(), leafHashes, 0, leafHashes.size())));
  }

  private static byte[] subtree(MessageDigest md, List<byte[]> leaves, int from, int to) {
    int n = to - from;
    if (n == 1) {
      return leaves.get(from);
    }
    int k = largestPowerOfTwoBelow(n);
    byte[] left = subtree(md, leaves, from, from + k);
    byte[] right = subtree(md, leaves, from + k, to);
    return nodeHash(md, left, right);
  }

  /** The audit path of leaf {@code index} (RFC 9162 section 2.1.3.1), bottom-up. */
  public static InclusionProof proof(List<byte[]> leafHashes, int index) {
    int n = leafHashes.size();
    if (index < 0 || index >= n) {
      throw new IllegalArgumentException("leaf " + index + " is outside a tree of " + n);
    }
    List<Digest> path = new ArrayList<>();
    collect(Digest.newSha256(), leafHashes, 0, n, index, path);
    return new InclusionProof(index, n, path);
  }

  private static void collect(
      MessageDigest md, List<byte[]> leaves, int from, int to, int index, List<Digest> path) {
    int n = to - from;
    if (n == 1) {
      return;
    }
    int k = largestPowerOfTwoBelow(n);
    if (index - from < k) {
      collect(md, leaves, from, from + k, index, path);
      path.add(new Digest(Bytes.copyOf(subtree(md, leaves, from + k, to))));
    } else {
      collect(md, leaves, from + k, to, index, path);
      path.add(new Digest(Bytes.copyOf(subtree(md, leaves, from, from + k))));
    }
  }

  static int largestPowerOfTwoBelow(int n) {
    return Integer.highestOneBit(n - 1);
  }
}
