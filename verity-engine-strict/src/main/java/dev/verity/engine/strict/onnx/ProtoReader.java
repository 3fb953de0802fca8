package dev.verity.engine.strict.onnx;

import java.nio.charset.StandardCharsets;

/**
 * A bounds-checked reader of the protobuf wire format over one byte array. Every length is checked
 * against the bytes that remain in the enclosing message before anything is allocated, so a
 * truncated or hostile file fails with {@link ProtoException} instead of exhausting memory.
 */
final class ProtoReader {
  static final int VARINT = 0;
  static final int I64 = 1;
  static final int LEN = 2;
  static final int I32 = 5;

  private final byte[] buf;
  private int pos;
  private final int limit;

  ProtoReader(byte[] buf, int from, int to) {
    this.buf = buf;
    this.pos = from;
    this.limit = to;
  }

  boolean hasMore() {
    return pos < limit;
  }

  int position() {
    return pos;
  }

  /** Reads a tag; returns field number in the high bits and wire type in the low three. */
  int readTag() throws ProtoException {
    long tag = readVarint();
    if (tag <= 0 || tag > Integer.MAX_VALUE) {
      throw new ProtoException("invalid field tag " + tag + " at byte " + pos);
    }
    int wt = (int) (tag & 7);
    if (wt != VARINT && wt != I64 && wt != LEN && wt != I32) {
      throw new ProtoException("unsupported wire type " + wt + " at byte " + pos);
    }
    return (int) tag;
  }

  long readVarint() throws ProtoException {
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= limit) {
        throw new ProtoException("truncated varint at byte " + pos);
      }
      byte b = buf[pos++];
      result |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return result;
      }
    }
    throw new ProtoException("varint longer than 10 bytes at byte " + pos);
  }

  int readFixed32() throws ProtoException {
    need(4);
    int v =
        (buf[pos] & 0xff)
            | (buf[pos + 1] & 0xff) << 8
            | (buf[pos + 2] & 0xff) << 16
            | (buf[pos + 3] & 0xff) << 24;
    pos += 4;
    return v;
  }

  long readFixed64() throws ProtoException {
    long lo = readFixed32() & 0xffffffffL;
    long hi = readFixed32() & 0xffffffffL;
    return lo | hi << 32;
  }

  float readFloat() throws ProtoException {
    return Float.intBitsToFloat(readFixed32());
  }

  /** Reads a length prefix and returns a reader over exactly that many following bytes. */
  ProtoReader readMessage() throws ProtoException {
    int len = readLength();
    ProtoReader r = new ProtoReader(buf, pos, pos + len);
    pos += len;
    return r;
  }

  int readLength() throws ProtoException {
    long len = readVarint();
    if (len < 0 || len > limit - pos) {
      throw new ProtoException(
          "length " + len + " at byte " + pos + " exceeds the " + (limit - pos) + " bytes left");
    }
    return (int) len;
  }

  String readString() throws ProtoException {
    int len = readLength();
    String s = new String(buf, pos, len, StandardCharsets.UTF_8);
    pos += len;
    return s;
  }

  byte[] readBytes() throws ProtoException {
    int len = readLength();
    byte[] out = new byte[len];
    System.arraycopy(buf, pos, out, 0, len);
    pos += len;
    return out;
  }

  /** The raw backing array and current offset, for zero-copy reads of a length-prefixed field. */
  int[] readSpan() throws ProtoException {
    int len = readLength();
    int[] span = {pos, len};
    pos += len;
    return span;
  }

  byte[] array() {
    return buf;
  }

  void skip(int tag) throws ProtoException {
    switch (tag & 7) {
      case VARINT -> readVarint();
      case I64 -> {
        need(8);
        pos += 8;
      }
      case I32 -> {
        need(4);
        pos += 4;
      }
      case LEN -> {
        int len = readLength();
        pos += len;
      }
      default -> throw new ProtoException("unsupported wire type " + (tag & 7));
    }
  }

  private void need(int n) throws ProtoException {
    if (limit - pos < n) {
      throw new ProtoException("truncated message: need " + n + " bytes at byte " + pos);
    }
  }
}
