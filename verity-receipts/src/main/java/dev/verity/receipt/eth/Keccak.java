package dev.verity.receipt.eth;

import dev.verity.core.Bytes;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * Keccak-256 as Ethereum uses it: the Keccak-f[1600] sponge with a rate of 136 bytes (capacity 512
 * bits) and a 32-byte output, with the original Keccak padding, not the SHA3-256 (FIPS 202) one.
 *
 * <p>Padding: the message is followed by the byte {@code 0x01}, then zero bytes, and {@code 0x80}
 * is OR-ed into the last byte of the 136-byte block, so that the padded length is a multiple of
 * 136; a message one byte short of a block boundary ends in the single byte {@code 0x81}, and a
 * message that fills whole blocks gets one more block of padding. SHA3-256 uses {@code 0x06}
 * instead of {@code 0x01} and so gives other digests: keccak256("") = {@code c5d24601...5d85a470},
 * SHA3-256("") = {@code a7ffc6f8...80f8434a}.
 *
 * <p>Bytes are absorbed into the 25 64-bit lanes little-endian (byte {@code i} of a block goes into
 * lane {@code i / 8} at bit {@code 8 * (i % 8)}), and the digest is the first 4 lanes written
 * little-endian.
 */
public final class Keccak {
  /** Bytes of output. */
  public static final int DIGEST_LENGTH = 32;

  /** Bytes absorbed per permutation: 200 - 2 * 32. */
  static final int RATE = 136;

  // Reads and writes a whole lane at once; the JIT turns it into one unaligned 64-bit load.
  private static final VarHandle LANE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private static final long[] ROUND_CONSTANTS = {
    0x0000000000000001L, 0x0000000000008082L, 0x800000000000808AL,
    0x8000000080008000L, 0x000000000000808BL, 0x0000000080000001L,
    0x8000000080008081L, 0x8000000000008009L, 0x000000000000008AL,
    0x0000000000000088L, 0x0000000080008009L, 0x000000008000000AL,
    0x000000008000808BL, 0x800000000000008BL, 0x8000000000008089L,
    0x8000000000008003L, 0x8000000000008002L, 0x8000000000000080L,
    0x000000000000800AL, 0x800000008000000AL, 0x8000000080008081L,
    0x8000000000008080L, 0x0000000080000001L, 0x8000000080008008L
  };

  private Keccak() {}

  /** keccak256 of the concatenation of {@code parts}, without concatenating them. */
  public static byte[] keccak256(byte[]... parts) {
    long[] state = new long[25];
    int position = 0;
    for (byte[] p : parts) {
      position = absorb(state, position, p, 0, p.length);
    }
    byte[] out = new byte[DIGEST_LENGTH];
    finish(state, position, out, 0);
    return out;
  }

  public static Bytes keccak256(Bytes data) {
    return Bytes.copyOf(keccak256(data.toByteArray()));
  }

  /**
   * Writes keccak256 of {@code data[offset, offset + length)} into {@code out[outOffset, outOffset
   * + 32)}: no allocation but the 200-byte state.
   */
  public static void keccak256(byte[] data, int offset, int length, byte[] out, int outOffset) {
    Objects.checkFromIndexSize(offset, length, data.length);
    Objects.checkFromIndexSize(outOffset, DIGEST_LENGTH, out.length);
    long[] state = new long[25];
    finish(state, absorb(state, 0, data, offset, length), out, outOffset);
  }

  /**
   * Remembers the sponge state after the first 136-byte block of messages, for callers whose
   * messages mostly begin with one of a few blocks (a receipt's struct encoding begins with its
   * type hash, model, engine id and engine version): such a message costs one permutation less.
   * Holds up to {@code capacity} first blocks, the oldest replaced first; thread-safe.
   */
  public static final class FirstBlockCache {
    private record Entry(byte[] block, long[] state) {}

    private final int capacity;
    // Replaced whole on every change, so readers scan it without locking.
    private volatile Entry[] entries = new Entry[0];
    private int nextReplaced; // guarded by this

    public FirstBlockCache(int capacity) {
      if (capacity < 1) {
        throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
      }
      this.capacity = capacity;
    }

    /** Same result as {@link Keccak#keccak256(byte[], int, int, byte[], int)}. */
    public void keccak256(byte[] data, int offset, int length, byte[] out, int outOffset) {
      Objects.checkFromIndexSize(offset, length, data.length);
      Objects.checkFromIndexSize(outOffset, DIGEST_LENGTH, out.length);
      if (length < RATE) {
        // A message shorter than a block has no first block to skip.
        long[] state = new long[25];
        finish(state, absorb(state, 0, data, offset, length), out, outOffset);
        return;
      }
      long[] state = null;
      for (Entry e : entries) {
        if (Arrays.equals(e.block, 0, RATE, data, offset, offset + RATE)) {
          state = e.state.clone();
          break;
        }
      }
      if (state == null) {
        state = new long[25];
        absorb(state, 0, data, offset, RATE);
        remember(new Entry(Arrays.copyOfRange(data, offset, offset + RATE), state.clone()));
      }
      finish(state, absorb(state, 0, data, offset + RATE, length - RATE), out, outOffset);
    }

    private synchronized void remember(Entry entry) {
      Entry[] current = entries;
      Entry[] next;
      if (current.length < capacity) {
        next = Arrays.copyOf(current, current.length + 1);
        next[current.length] = entry;
      } else {
        next = current.clone();
        next[nextReplaced] = entry;
        nextReplaced = (nextReplaced + 1) % capacity;
      }
      entries = next;
    }
  }

  /**
   * XORs {@code data[offset, offset + length)} into the rate part of {@code state} starting at byte
   * {@code position} of the current block, permuting after each full block; returns the new
   * position.
   */
  private static int absorb(long[] state, int position, byte[] data, int offset, int length) {
    int end = offset + length;
    while (offset < end) {
      if ((position & 7) == 0 && end - offset >= 8) {
        // Lane-aligned (always, for inputs made of 32-byte words): whole lanes at a time.
        int lanes = Math.min((end - offset) >>> 3, (RATE - position) >>> 3);
        int lane = position >>> 3;
        for (int i = 0; i < lanes; i++) {
          state[lane + i] ^= (long) LANE.get(data, offset + 8 * i);
        }
        offset += lanes << 3;
        position += lanes << 3;
      } else {
        state[position >>> 3] ^= (data[offset] & 0xFFL) << ((position & 7) << 3);
        offset++;
        position++;
      }
      if (position == RATE) {
        permute(state);
        position = 0;
      }
    }
    return position;
  }

  /** Pads (0x01 ... 0x80, see the class comment), permutes and writes the 32-byte digest. */
  private static void finish(long[] state, int position, byte[] out, int outOffset) {
    state[position >>> 3] ^= 0x01L << ((position & 7) << 3);
    state[(RATE - 1) >>> 3] ^= 0x80L << 56;
    permute(state);
    for (int i = 0; i < 4; i++) {
      LANE.set(out, outOffset + 8 * i, state[i]);
    }
  }

  /**
   * Keccak-f[1600] on {@code s}, lane (x, y) at index x + 5y, in locals {@code axy} for the whole
   * permutation so that the JIT keeps what it can in registers. Each iteration runs two rounds
   * written out in full, the first from lanes {@code a} into lanes {@code e} and the second back,
   * so no lanes are moved between rounds; each output row is finished (rho, pi, chi) before the
   * next, so only five {@code b} values are live at a time. Twenty-four unrolled rounds would
   * exceed the size up to which the JIT compiles a method.
   */
  static void permute(long[] s) {
    long a00 = s[0];
    long a10 = s[1];
    long a20 = s[2];
    long a30 = s[3];
    long a40 = s[4];
    long a01 = s[5];
    long a11 = s[6];
    long a21 = s[7];
    long a31 = s[8];
    long a41 = s[9];
    long a02 = s[10];
    long a12 = s[11];
    long a22 = s[12];
    long a32 = s[13];
    long a42 = s[14];
    long a03 = s[15];
    long a13 = s[16];
    long a23 = s[17];
    long a33 = s[18];
    long a43 = s[19];
    long a04 = s[20];
    long a14 = s[21];
    long a24 = s[22];
    long a34 = s[23];
    long a44 = s[24];
    // Column parities for the first theta.
    long c0 = a00 ^ a01 ^ a02 ^ a03 ^ a04;
    long c1 = a10 ^ a11 ^ a12 ^ a13 ^ a14;
    long c2 = a20 ^ a21 ^ a22 ^ a23 ^ a24;
    long c3 = a30 ^ a31 ^ a32 ^ a33 ^ a34;
    long c4 = a40 ^ a41 ^ a42 ^ a43 ^ a44;
    long d0, d1, d2, d3, d4, b0, b1, b2, b3, b4;
    for (int round = 0; round < 24; round += 2) {
      // Even round, lanes a into lanes e. Theta: d[x] = c[x-1] ^ rotl(c[x+1], 1).
      d0 = c4 ^ Long.rotateLeft(c1, 1);
      d1 = c0 ^ Long.rotateLeft(c2, 1);
      d2 = c1 ^ Long.rotateLeft(c3, 1);
      d3 = c2 ^ Long.rotateLeft(c4, 1);
      d4 = c3 ^ Long.rotateLeft(c0, 1);
      // Per output row: rho and pi gather its five rotated lanes, chi mixes them; iota.
      b0 = a00 ^ d0;
      b1 = Long.rotateLeft(a11 ^ d1, 44);
      b2 = Long.rotateLeft(a22 ^ d2, 43);
      b3 = Long.rotateLeft(a33 ^ d3, 21);
      b4 = Long.rotateLeft(a44 ^ d4, 14);
      long e00 = b0 ^ (~b1 & b2) ^ ROUND_CONSTANTS[round];
      long e10 = b1 ^ (~b2 & b3);
      long e20 = b2 ^ (~b3 & b4);
      long e30 = b3 ^ (~b4 & b0);
      long e40 = b4 ^ (~b0 & b1);
      b0 = Long.rotateLeft(a30 ^ d3, 28);
      b1 = Long.rotateLeft(a41 ^ d4, 20);
      b2 = Long.rotateLeft(a02 ^ d0, 3);
      b3 = Long.rotateLeft(a13 ^ d1, 45);
      b4 = Long.rotateLeft(a24 ^ d2, 61);
      long e01 = b0 ^ (~b1 & b2);
      long e11 = b1 ^ (~b2 & b3);
      long e21 = b2 ^ (~b3 & b4);
      long e31 = b3 ^ (~b4 & b0);
      long e41 = b4 ^ (~b0 & b1);
      b0 = Long.rotateLeft(a10 ^ d1, 1);
      b1 = Long.rotateLeft(a21 ^ d2, 6);
      b2 = Long.rotateLeft(a32 ^ d3, 25);
      b3 = Long.rotateLeft(a43 ^ d4, 8);
      b4 = Long.rotateLeft(a04 ^ d0, 18);
      long e02 = b0 ^ (~b1 & b2);
      long e12 = b1 ^ (~b2 & b3);
      long e22 = b2 ^ (~b3 & b4);
      long e32 = b3 ^ (~b4 & b0);
      long e42 = b4 ^ (~b0 & b1);
      b0 = Long.rotateLeft(a40 ^ d4, 27);
      b1 = Long.rotateLeft(a01 ^ d0, 36);
      b2 = Long.rotateLeft(a12 ^ d1, 10);
      b3 = Long.rotateLeft(a23 ^ d2, 15);
      b4 = Long.rotateLeft(a34 ^ d3, 56);
      long e03 = b0 ^ (~b1 & b2);
      long e13 = b1 ^ (~b2 & b3);
      long e23 = b2 ^ (~b3 & b4);
      long e33 = b3 ^ (~b4 & b0);
      long e43 = b4 ^ (~b0 & b1);
      b0 = Long.rotateLeft(a20 ^ d2, 62);
      b1 = Long.rotateLeft(a31 ^ d3, 55);
      b2 = Long.rotateLeft(a42 ^ d4, 39);
      b3 = Long.rotateLeft(a03 ^ d0, 41);
      b4 = Long.rotateLeft(a14 ^ d1, 2);
      long e04 = b0 ^ (~b1 & b2);
      long e14 = b1 ^ (~b2 & b3);
      long e24 = b2 ^ (~b3 & b4);
      long e34 = b3 ^ (~b4 & b0);
      long e44 = b4 ^ (~b0 & b1);
      // Column parities for the next theta.
      c0 = e00 ^ e01 ^ e02 ^ e03 ^ e04;
      c1 = e10 ^ e11 ^ e12 ^ e13 ^ e14;
      c2 = e20 ^ e21 ^ e22 ^ e23 ^ e24;
      c3 = e30 ^ e31 ^ e32 ^ e33 ^ e34;
      c4 = e40 ^ e41 ^ e42 ^ e43 ^ e44;
      // Odd round, lanes e back into lanes a. Theta: d[x] = c[x-1] ^ rotl(c[x+1], 1).
      d0 = c4 ^ Long.rotateLeft(c1, 1);
      d1 = c0 ^ Long.rotateLeft(c2, 1);
      d2 = c1 ^ Long.rotateLeft(c3, 1);
      d3 = c2 ^ Long.rotateLeft(c4, 1);
      d4 = c3 ^ Long.rotateLeft(c0, 1);
      // Per output row: rho and pi gather its five rotated lanes, chi mixes them; iota.
      b0 = e00 ^ d0;
      b1 = Long.rotateLeft(e11 ^ d1, 44);
      b2 = Long.rotateLeft(e22 ^ d2, 43);
      b3 = Long.rotateLeft(e33 ^ d3, 21);
      b4 = Long.rotateLeft(e44 ^ d4, 14);
      a00 = b0 ^ (~b1 & b2) ^ ROUND_CONSTANTS[round + 1];
      a10 = b1 ^ (~b2 & b3);
      a20 = b2 ^ (~b3 & b4);
      a30 = b3 ^ (~b4 & b0);
      a40 = b4 ^ (~b0 & b1);
      b0 = Long.rotateLeft(e30 ^ d3, 28);
      b1 = Long.rotateLeft(e41 ^ d4, 20);
      b2 = Long.rotateLeft(e02 ^ d0, 3);
      b3 = Long.rotateLeft(e13 ^ d1, 45);
      b4 = Long.rotateLeft(e24 ^ d2, 61);
      a01 = b0 ^ (~b1 & b2);
      a11 = b1 ^ (~b2 & b3);
      a21 = b2 ^ (~b3 & b4);
      a31 = b3 ^ (~b4 & b0);
      a41 = b4 ^ (~b0 & b1);
      b0 = Long.rotateLeft(e10 ^ d1, 1);
      b1 = Long.rotateLeft(e21 ^ d2, 6);
      b2 = Long.rotateLeft(e32 ^ d3, 25);
      b3 = Long.rotateLeft(e43 ^ d4, 8);
      b4 = Long.rotateLeft(e04 ^ d0, 18);
      a02 = b0 ^ (~b1 & b2);
      a12 = b1 ^ (~b2 & b3);
      a22 = b2 ^ (~b3 & b4);
      a32 = b3 ^ (~b4 & b0);
      a42 = b4 ^ (~b0 & b1);
      b0 = Long.rotateLeft(e40 ^ d4, 27);
      b1 = Long.rotateLeft(e01 ^ d0, 36);
      b2 = Long.rotateLeft(e12 ^ d1, 10);
      b3 = Long.rotateLeft(e23 ^ d2, 15);
      b4 = Long.rotateLeft(e34 ^ d3, 56);
      a03 = b0 ^ (~b1 & b2);
      a13 = b1 ^ (~b2 & b3);
      a23 = b2 ^ (~b3 & b4);
      a33 = b3 ^ (~b4 & b0);
      a43 = b4 ^ (~b0 & b1);
      b0 = Long.rotateLeft(e20 ^ d2, 62);
      b1 = Long.rotateLeft(e31 ^ d3, 55);
      b2 = Long.rotateLeft(e42 ^ d4, 39);
      b3 = Long.rotateLeft(e03 ^ d0, 41);
      b4 = Long.rotateLeft(e14 ^ d1, 2);
      a04 = b0 ^ (~b1 & b2);
      a14 = b1 ^ (~b2 & b3);
      a24 = b2 ^ (~b3 & b4);
      a34 = b3 ^ (~b4 & b0);
      a44 = b4 ^ (~b0 & b1);
      // Column parities for the next theta.
      c0 = a00 ^ a01 ^ a02 ^ a03 ^ a04;
      c1 = a10 ^ a11 ^ a12 ^ a13 ^ a14;
      c2 = a20 ^ a21 ^ a22 ^ a23 ^ a24;
      c3 = a30 ^ a31 ^ a32 ^ a33 ^ a34;
      c4 = a40 ^ a41 ^ a42 ^ a43 ^ a44;
    }
    s[0] = a00;
    s[1] = a10;
    s[2] = a20;
    s[3] = a30;
    s[4] = a40;
    s[5] = a01;
    s[6] = a11;
    s[7] = a21;
    s[8] = a31;
    s[9] = a41;
    s[10] = a02;
    s[11] = a12;
    s[12] = a22;
    s[13] = a32;
    s[14] = a42;
    s[15] = a03;
    s[16] = a13;
    s[17] = a23;
    s[18] = a33;
    s[19] = a43;
    s[20] = a04;
    s[21] = a14;
    s[22] = a24;
    s[23] = a34;
    s[24] = a44;
  }
}
