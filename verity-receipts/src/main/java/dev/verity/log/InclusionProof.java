package dev.verity.log;

import dev.verity.core.Bytes;
import java.util.List;
import java.util.Objects;

/**
 * An RFC 9162 inclusion proof: the audit path for leaf {@code index} in the tree of {@code
 * treeSize} leaves.
 */
public record InclusionProof(long index, long treeSize, List<Bytes> path) {
  /** Longest possible path: a tree of at most 2^63 leaves has height 63. */
  public static final int MAX_PATH = 63;

  public InclusionProof {
    if (index < 0 || treeSize < 0) {
      throw new IllegalArgumentException("index and tree size must not be negative");
    }
    Objects.requireNonNull(path, "path");
    path = List.copyOf(path);
    checkHashes(path, "inclusion proof");
  }

  /**
   * RFC 9162 section 2.1.3.2: recomputes the root from {@code leafHash} and the path and compares
   * it with {@code root}.
   */
  public void verify(Bytes leafHash, Bytes root) throws InvalidProofException {
    Bytes computed = rootFrom(leafHash);
    if (!computed.equals(root)) {
      throw new InvalidProofException(
          "inclusion proof for leaf "
              + index
              + " yields root "
              + computed.toHex()
              + ", expected "
              + root.toHex());
    }
  }

  /** The root the path implies for {@code leafHash}; throws if the path has the wrong shape. */
  public Bytes rootFrom(Bytes leafHash) throws InvalidProofException {
    if (leafHash.length() != Rfc9162.HASH_SIZE) {
      throw new InvalidProofException("leaf hash must be 32 bytes, got " + leafHash.length());
    }
    if (index >= treeSize) {
      throw new InvalidProofException(
          "leaf index " + index + " is not inside a tree of size " + treeSize);
    }
    long fn = index;
    long sn = treeSize - 1;
    byte[] r = leafHash.toByteArray();
    for (Bytes p : path) {
      if (sn == 0) {
        throw new InvalidProofException("inclusion proof is longer than the tree is high");
      }
      if ((fn & 1) == 1 || fn == sn) {
        r = Rfc9162.nodeHash(p.toByteArray(), r);
        if ((fn & 1) == 0) {
          while ((fn & 1) == 0 && fn != 0) {
            fn >>= 1;
            sn >>= 1;
          }
        }
      } else {
        r = Rfc9162.nodeHash(r, p.toByteArray());
      }
      fn >>= 1;
      sn >>= 1;
    }
    if (sn != 0) {
      throw new InvalidProofException("inclusion proof is shorter than the tree is high");
    }
    return Bytes.copyOf(r);
  }

  static void checkHashes(List<Bytes> hashes, String what) {
    if (hashes.size() > 2 * MAX_PATH) {
      throw new IllegalArgumentException(what + " has too many hashes: " + hashes.size());
    }
    for (int i = 0; i < hashes.size(); i++) {
      Bytes h = Objects.requireNonNull(hashes.get(i), "hash");
      if (h.length() != Rfc9162.HASH_SIZE) {
        throw new IllegalArgumentException(
            what + " hash " + i + " must be 32 bytes, got " + h.length());
      }
    }
  }

  @Override
  public String toString() {
    return "InclusionProof[index=" + index + ", treeSize=" + treeSize + ", path=" + path + "]";
  }
}
