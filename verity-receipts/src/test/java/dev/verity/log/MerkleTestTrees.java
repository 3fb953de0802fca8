package dev.verity.log;

import java.util.ArrayList;
import java.util.List;

/** A naive RFC 9162 reference implementation that the tests compare the real code against. */
final class MerkleTestTrees {
  private MerkleTestTrees() {}

  static byte[] naiveRoot(List<byte[]> leafHashes, int start, int end) {
    int n = end - start;
    if (n == 1) {
      return leafHashes.get(start);
    }
    int k = Integer.highestOneBit(n - 1);
    return Rfc9162.nodeHash(
        naiveRoot(leafHashes, start, start + k), naiveRoot(leafHashes, start + k, end));
  }

  static List<byte[]> leafHashes(int n) {
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(Rfc9162.leafHash(("leaf " + i).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
    return out;
  }

  static MemoryHashStore store(List<byte[]> leafHashes) {
    MemoryHashStore s = new MemoryHashStore();
    leafHashes.forEach(s::append);
    return s;
  }
}
