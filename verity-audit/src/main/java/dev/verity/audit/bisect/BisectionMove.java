package dev.verity.audit.bisect;

import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * One party's move in a bisection round: the hashes of the two children of the subtree {@code
 * [start, start + size)} under its own committed trace root. The split is RFC 9162's: the left
 * child covers the largest power of two smaller than {@code size}.
 *
 * <p>Bytes (docs/DISPUTES.md): {@code "VBMV" || 0x01 || round u32 BE || start u64 BE || size u64 BE
 * || left (32) || right (32)}, 89 bytes.
 */
public record BisectionMove(int round, long start, long size, Digest left, Digest right) {
  public static final int LENGTH = 4 + 1 + 4 + 8 + 8 + 32 + 32;
  private static final byte[] MAGIC = {'V', 'B', 'M', 'V'};

  public BisectionMove {
    if (round < 0 || start < 0 || size < 2) {
      throw new IllegalArgumentException(
          "a move needs round >= 0, start >= 0 and a subtree of at least 2 leaves, got round "
              + round
              + ", start "
              + start
              + ", size "
              + size);
    }
    Objects.requireNonNull(left, "left");
    Objects.requireNonNull(right, "right");
  }

  /** {@code SHA-256(0x01 || left || right)}: must equal the party's hash of the subtree. */
  public Digest parent() {
    return dev.verity.engine.TraceMerkle.nodeHash(left, right);
  }

  public Bytes encode() {
    ByteBuffer b = ByteBuffer.allocate(LENGTH);
    b.put(MAGIC).put((byte) 1).putInt(round).putLong(start).putLong(size);
    b.put(left.value().toByteArray()).put(right.value().toByteArray());
    return Bytes.copyOf(b.array());
  }

  public static BisectionMove decode(Bytes bytes) {
    if (bytes.length() != LENGTH) {
      throw new IllegalArgumentException(
          "a bisection move is " + LENGTH + " bytes, got " + bytes.length());
    }
    ByteBuffer b = ByteBuffer.wrap(bytes.toByteArray());
    byte[] magic = new byte[4];
    b.get(magic);
    if (!java.util.Arrays.equals(magic, MAGIC)) {
      throw new IllegalArgumentException("not a bisection move: magic is not VBMV");
    }
    int version = b.get();
    if (version != 1) {
      throw new IllegalArgumentException("unsupported bisection move version " + version);
    }
    int round = b.getInt();
    long start = b.getLong();
    long size = b.getLong();
    byte[] l = new byte[32];
    byte[] r = new byte[32];
    b.get(l).get(r);
    return new BisectionMove(
        round, start, size, new Digest(Bytes.copyOf(l)), new Digest(Bytes.copyOf(r)));
  }
}
