package dev.verity.core;

import java.util.Arrays;
import java.util.HexFormat;

/** An immutable byte string. Records hold this instead of a raw {@code byte[]}. */
public final class Bytes implements Comparable<Bytes> {
  private static final HexFormat HEX = HexFormat.of();
  public static final Bytes EMPTY = new Bytes(new byte[0]);

  private final byte[] value;

  private Bytes(byte[] value) {
    this.value = value;
  }

  /** Copies {@code value}; later changes to the array do not affect this object. */
  public static Bytes copyOf(byte[] value) {
    return new Bytes(value.clone());
  }

  /** The UTF-8 encoding of {@code text}. */
  public static Bytes utf8(String text) {
    return new Bytes(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /** Parses lower- or upper-case hex. */
  public static Bytes fromHex(String hex) {
    try {
      return new Bytes(HEX.parseHex(hex));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a hex string: " + abbreviate(hex), e);
    }
  }

  public byte[] toByteArray() {
    return value.clone();
  }

  /**
   * Copies the bytes into {@code dest} from {@code destOffset} on, for filling a caller's buffer
   * (an encoding, a hash input) without allocating a copy first.
   *
   * @throws IndexOutOfBoundsException if they do not fit
   */
  public void copyTo(byte[] dest, int destOffset) {
    java.util.Objects.checkFromIndexSize(destOffset, value.length, dest.length);
    System.arraycopy(value, 0, dest, destOffset, value.length);
  }

  public int length() {
    return value.length;
  }

  public byte get(int index) {
    return value[index];
  }

  public String toHex() {
    return HEX.formatHex(value);
  }

  /** Standard base64 (RFC 4648 section 4) with padding. */
  public String toBase64() {
    return java.util.Base64.getEncoder().encodeToString(value);
  }

  /** Decodes as UTF-8, replacing malformed sequences. */
  public String toUtf8String() {
    return new String(value, java.nio.charset.StandardCharsets.UTF_8);
  }

  /** Bytes {@code [from, to)} as a new value. */
  public Bytes slice(int from, int to) {
    return new Bytes(Arrays.copyOfRange(value, from, to));
  }

  /** Writes the bytes without copying them. */
  public void writeTo(java.io.OutputStream out) throws java.io.IOException {
    out.write(value);
  }

  /** A read-only stream over the bytes. */
  public java.io.InputStream newInputStream() {
    return new java.io.ByteArrayInputStream(value);
  }

  public Bytes concat(Bytes other) {
    byte[] out = Arrays.copyOf(value, value.length + other.value.length);
    System.arraycopy(other.value, 0, out, value.length, other.value.length);
    return new Bytes(out);
  }

  /** Compares in constant time for equal lengths, for MACs and secrets. */
  public boolean constantTimeEquals(Bytes other) {
    return java.security.MessageDigest.isEqual(value, other.value);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Bytes b && Arrays.equals(value, b.value);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(value);
  }

  @Override
  public int compareTo(Bytes o) {
    return Arrays.compareUnsigned(value, o.value);
  }

  @Override
  public String toString() {
    return toHex();
  }

  private static String abbreviate(String s) {
    return s.length() <= 32 ? s : s.substring(0, 32) + "…";
  }
}
