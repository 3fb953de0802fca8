package dev.verity.llm.trace;

import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import java.security.MessageDigest;
import java.util.List;
import java.util.Objects;

/**
 * An RFC 9162 inclusion proof: the leaf's index, the tree size, and the audit path from the leaf up
 * to the root.
 */
public record InclusionProof(long leafIndex, long treeSize, List<Digest> path) {
  public InclusionProof {
    if (treeSize < 1 || leafIndex < 0 || leafIndex >= treeSize) {
      throw new IllegalArgumentException(
          "leaf index " + leafIndex + " is outside a tree of size " + treeSize);
    }
    path = List.copyOf(Objects.requireNonNull(path, "path"));
    if (path.size() > 64) {
      throw new IllegalArgumentException("audit path of " + path.size() + " hashes is too long");
    }
  }

  /**
   * Checks that {@code leafHash} is leaf {@link #leafIndex} of the tree with {@code root} (the
   * algorithm of RFC 9162 section 2.1.3.2); throws {@link TraceVerificationException} if not.
   */
  public void verify(Digest root, Digest leafHash) throws TraceVerificationException {
    long fn = leafIndex;
    long sn = treeSize - 1;
    byte[] r = leafHash.value().toByteArray();
    MessageDigest md = Digest.newSha256();
    for (Digest p : path) {
      if (sn == 0) {
        throw new TraceVerificationException(
            "inclusion proof for leaf " + leafIndex + " has more hashes than the tree needs");
      }
      byte[] h = p.value().toByteArray();
      if ((fn & 1) == 1 || fn == sn) {
        r = MerkleTree.nodeHash(md, h, r);
        if ((fn & 1) == 0) {
          while ((fn & 1) == 0 && fn != 0) {
            fn >>= 1;
            sn >>= 1;
          }
        }
      } else {
        r = MerkleTree.nodeHash(md, r, h);
      }
      fn >>= 1;
      sn >>= 1;
    }
    if (sn != 0) {
      throw new TraceVerificationException(
          "inclusion proof for leaf " + leafIndex + " has too few hashes");
    }
    if (!new Digest(Bytes.copyOf(r)).equals(root)) {
      throw new TraceVerificationException(
          "leaf " + leafIndex + " of " + treeSize + " does not lead to root " + root);
    }
  }
}
