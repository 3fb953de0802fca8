package dev.verity.log;

import dev.verity.core.Bytes;
import java.util.List;
import java.util.Objects;

/** An RFC 9162 consistency proof between the trees of {@code oldSize} and {@code newSize}. */
public record ConsistencyProof(long oldSize, long newSize, List<Bytes> path) {
  public ConsistencyProof {
    if (oldSize < 0 || newSize < 0) {
      throw new IllegalArgumentException("tree sizes must not be negative");
    }
    Objects.requireNonNull(path, "path");
    path = List.copyOf(path);
    InclusionProof.checkHashes(path, "consistency proof");
  }

  /**
   * RFC 9162 section 2.1.4.2, extended with the trivial cases: equal sizes need an empty proof and
   * equal roots; an empty old tree is consistent with every tree.
   */
  public void verify(Bytes oldRoot, Bytes newRoot) throws InvalidProofException {
    if (oldSize > newSize) {
      throw new InvalidProofException(
          "old tree size " + oldSize + " is larger than new tree size " + newSize);
    }
    if (oldSize == newSize) {
      if (!path.isEmpty()) {
        throw new InvalidProofException("consistency proof between equal sizes must be empty");
      }
      if (!oldRoot.equals(newRoot)) {
        throw new InvalidProofException("two trees of size " + oldSize + " have different roots");
      }
      return;
    }
    if (oldSize == 0) {
      if (!path.isEmpty()) {
        throw new InvalidProofException("consistency proof from the empty tree must be empty");
      }
      return;
    }
    if (path.isEmpty()) {
      throw new InvalidProofException("consistency proof is empty");
    }
    int i = 0;
    byte[] first;
    if (Long.bitCount(oldSize) == 1) {
      first = oldRoot.toByteArray();
    } else {
      first = path.get(i++).toByteArray();
    }
    long fn = oldSize - 1;
    long sn = newSize - 1;
    while ((fn & 1) == 1) {
      fn >>= 1;
      sn >>= 1;
    }
    byte[] fr = first;
    byte[] sr = first;
    for (; i < path.size(); i++) {
      byte[] c = path.get(i).toByteArray();
      if (sn == 0) {
        throw new InvalidProofException("consistency proof is too long");
      }
      if ((fn & 1) == 1 || fn == sn) {
        fr = Rfc9162.nodeHash(c, fr);
        sr = Rfc9162.nodeHash(c, sr);
        if ((fn & 1) == 0) {
          while ((fn & 1) == 0 && fn != 0) {
            fn >>= 1;
            sn >>= 1;
          }
        }
      } else {
        sr = Rfc9162.nodeHash(sr, c);
      }
      fn >>= 1;
      sn >>= 1;
    }
    if (sn != 0) {
      throw new InvalidProofException("consistency proof is too short");
    }
    if (!Bytes.copyOf(fr).equals(oldRoot)) {
      throw new InvalidProofException(
          "consistency proof does not reproduce the old root of size " + oldSize);
    }
    if (!Bytes.copyOf(sr).equals(newRoot)) {
      throw new InvalidProofException(
          "consistency proof does not reproduce the new root of size " + newSize);
    }
  }
}
