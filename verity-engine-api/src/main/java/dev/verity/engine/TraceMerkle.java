package dev.verity.engine;

import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/** RFC 9162 (Certificate Transparency v2) Merkle tree hashing over trace leaves. */
public final class TraceMerkle {
  private TraceMerkle() {}

  /** {@code SHA-256(0x00 || leafBytes)}. */
  public static Digest leafHash(byte[] leafBytes) {
    MessageDigest md = Digest.newSha256();
    md.update((byte) 0x00);
    md.update(leafBytes);
    return new Digest(Bytes.copyOf(md.digest()));
  }

  /** {@code SHA-256(0x01 || left || right)}. */
  public static Digest nodeHash(Digest left, Digest right) {
    MessageDigest md = Digest.newSha256();
    md.update((byte) 0x01);
    md.update(left.value().toByteArray());
    md.update(right.value().toByteArray());
    return new Digest(Bytes.copyOf(md.digest()));
  }

  /** MTH over leaf hashes; the empty tree hashes to SHA-256 of the empty string. */
  public static Digest root(List<Digest> leafHashes) {
    if (leafHashes.isEmpty()) {
      return Digest.of(new byte[0]);
    }
    return mth(leafHashes, 0, leafHashes.size());
  }

  private static Digest mth(List<Digest> h, int from, int to) {
    int n = to - from;
    if (n == 1) {
      return h.get(from);
    }
    int k = Integer.highestOneBit(n - 1);
    return nodeHash(mth(h, from, from + k), mth(h, from + k, to));
  }

  /** The RFC 9162 inclusion proof PATH(m, D[n]) for leaf {@code m}. */
  public static List<Digest> inclusionPath(List<Digest> leafHashes, int m) {
    if (m < 0 || m >= leafHashes.size()) {
      throw new IllegalArgumentException(
          "leaf " + m + " outside a tree of " + leafHashes.size() + " leaves");
    }
    List<Digest> out = new ArrayList<>();
    path(leafHashes, m, 0, leafHashes.size(), out);
    return out;
  }

  private static void path(List<Digest> h, int m, int from, int to, List<Digest> out) {
    int n = to - from;
    if (n == 1) {
      return;
    }
    int k = Integer.highestOneBit(n - 1);
    if (m < k) {
      path(h, m, from, from + k, out);
      out.add(mth(h, from + k, to));
    } else {
      path(h, m - k, from + k, to, out);
      out.add(mth(h, from, from + k));
    }
  }

  /**
   * Recomputes the root from a leaf hash and its audit path (RFC 9162 section 2.1.3.2); throws if
   * the path has the wrong length for {@code (index, size)}.
   */
  public static Digest rootFromPath(long index, long size, Digest leafHash, List<Digest> path)
      throws TraceVerificationException {
    if (index < 0 || index >= size) {
      throw new TraceVerificationException("leaf index " + index + " outside tree size " + size);
    }
    long fn = index;
    long sn = size - 1;
    Digest r = leafHash;
    for (Digest p : path) {
      if (sn == 0) {
        throw new TraceVerificationException("inclusion proof is longer than the tree is deep");
      }
      if ((fn & 1) == 1 || fn == sn) {
        r = nodeHash(p, r);
        if ((fn & 1) == 0) {
          while ((fn & 1) == 0 && fn != 0) {
            fn >>= 1;
            sn >>= 1;
          }
        }
      } else {
        r = nodeHash(r, p);
      }
      fn >>= 1;
      sn >>= 1;
    }
    if (sn != 0) {
      throw new TraceVerificationException("inclusion proof is shorter than the tree is deep");
    }
    return r;
  }
}
