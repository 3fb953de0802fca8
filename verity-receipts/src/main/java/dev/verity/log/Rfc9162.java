package dev.verity.log;

import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import java.security.MessageDigest;

/**
 * RFC 9162 section 2.1 Merkle tree hashing with SHA-256: leaf hash {@code SHA-256(0x00 || entry)},
 * interior node hash {@code SHA-256(0x01 || left || right)}, empty tree {@code SHA-256("")}.
 */
public final class Rfc9162 {
  /** Size of every hash in the tree. */
  public static final int HASH_SIZE = 32;

  /** MTH({}) = SHA-256 of the empty string. */
  public static final Bytes EMPTY_ROOT =
      Bytes.fromHex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(Digest::newSha256);

  private Rfc9162() {}

  public static byte[] leafHash(byte[] entry) {
    MessageDigest md = SHA256.get();
    md.update((byte) 0x00);
    md.update(entry);
    return md.digest();
  }

  public static Bytes leafHash(Bytes entry) {
    return Bytes.copyOf(leafHash(entry.toByteArray()));
  }

  public static byte[] nodeHash(byte[] left, byte[] right) {
    MessageDigest md = SHA256.get();
    md.update((byte) 0x01);
    md.update(left);
    md.update(right);
    return md.digest();
  }

  /**
   * Number of hashes in the RFC 9162 section 2.1.3.1 inclusion path of leaf {@code index} in a tree
   * of {@code size} leaves ({@code 0 <= index < size}).
   */
  public static int inclusionPathLength(long index, long size) {
    if (index < 0 || index >= size) {
      throw new IllegalArgumentException(
          "leaf index " + index + " is not inside a tree of size " + size);
    }
    int length = 0;
    while (size > 1) {
      long k = splitPoint(size);
      if (index < k) {
        size = k;
      } else {
        index -= k;
        size -= k;
      }
      length++;
    }
    return length;
  }

  /** Largest power of two strictly less than {@code n}, for {@code n >= 2}. */
  static long splitPoint(long n) {
    return Long.highestOneBit(n - 1);
  }
}
