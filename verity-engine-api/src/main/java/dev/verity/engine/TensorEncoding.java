package dev.verity.engine;

import dev.verity.core.Digest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The canonical byte encoding of tensors that digests, receipts and trace commitments hash.
 *
 * <p>One tensor: {@code "VTEN"} (4 ASCII bytes), version {@code 0x01}, the ONNX data-type code (1
 * byte), the rank (1 byte, at most 255), each dimension as an unsigned 64-bit little-endian
 * integer, then the row-major elements in little-endian byte order.
 *
 * <p>A named tensor map: SHA-256 over {@code "VTMP"}, version {@code 0x01}, the entry count as u32
 * LE, then per entry in ascending unsigned order of the UTF-8 name bytes: name length u32 LE, the
 * UTF-8 name, encoding length u64 LE, the tensor encoding. See docs in verity-engine-strict
 * (docs/TRACE.md) for worked vectors.
 */
public final class TensorEncoding {
  public static final byte VERSION = 1;
  private static final byte[] TENSOR_MAGIC = {'V', 'T', 'E', 'N'};
  private static final byte[] MAP_MAGIC = {'V', 'T', 'M', 'P'};

  private TensorEncoding() {}

  /** The length in bytes of {@link #encode}'s result for a tensor. */
  public static long encodedLength(Tensor t) {
    return 7L + 8L * t.rank() + t.elementCount() * t.type().byteSize();
  }

  /** The canonical encoding of one tensor. */
  public static byte[] encode(Tensor t) {
    if (t.rank() > 255) {
      throw new IllegalArgumentException("tensor rank " + t.rank() + " exceeds 255");
    }
    long len = encodedLength(t);
    if (len > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("tensor too large to encode: " + len + " bytes");
    }
    ByteBuffer b = ByteBuffer.allocate((int) len).order(ByteOrder.LITTLE_ENDIAN);
    b.put(header(t.type(), t.shape()));
    b.put(t.buffer());
    return b.array();
  }

  /**
   * The bytes of {@link #encode} before the element data: magic, version, data type, rank and
   * dimensions. Lets an engine hash an encoding by streaming its elements after this header.
   */
  public static byte[] header(DataType type, long[] shape) {
    if (shape.length > 255) {
      throw new IllegalArgumentException("tensor rank " + shape.length + " exceeds 255");
    }
    ByteBuffer b = ByteBuffer.allocate(7 + 8 * shape.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put(TENSOR_MAGIC).put(VERSION).put((byte) type.onnxCode()).put((byte) shape.length);
    for (long d : shape) {
      b.putLong(d);
    }
    return b.array();
  }

  /** Parses a canonical encoding; the error names what is wrong. */
  public static Tensor decode(byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (bytes.length < 7) {
      throw new IllegalArgumentException("tensor encoding too short: " + bytes.length + " bytes");
    }
    byte[] magic = new byte[4];
    b.get(magic);
    if (!Arrays.equals(magic, TENSOR_MAGIC)) {
      throw new IllegalArgumentException("tensor encoding does not start with VTEN");
    }
    byte version = b.get();
    if (version != VERSION) {
      throw new IllegalArgumentException("unknown tensor encoding version " + version);
    }
    DataType type = DataType.fromOnnxCode(b.get() & 0xff);
    int rank = b.get() & 0xff;
    if (b.remaining() < 8L * rank) {
      throw new IllegalArgumentException("tensor encoding truncated in its shape");
    }
    long[] shape = new long[rank];
    for (int i = 0; i < rank; i++) {
      shape[i] = b.getLong();
      if (shape[i] < 0) {
        throw new IllegalArgumentException("tensor dimension " + i + " exceeds 2^63-1");
      }
    }
    long count;
    try {
      count = Math.multiplyExact(Tensor.elementCount(shape), (long) type.byteSize());
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("tensor shape " + Arrays.toString(shape) + " overflows");
    }
    if (count != b.remaining()) {
      throw new IllegalArgumentException(
          "tensor encoding has " + b.remaining() + " data bytes, shape needs " + count);
    }
    byte[] data = new byte[(int) count];
    b.get(data);
    return Tensor.ofBytes(type, shape, data);
  }

  /** SHA-256 of the canonical encoding. */
  public static Digest digest(Tensor t) {
    MessageDigest md = Digest.newSha256();
    md.update(header(t.type(), t.shape()));
    t.updateDigest(md);
    return new Digest(dev.verity.core.Bytes.copyOf(md.digest()));
  }

  /** The digest of a named tensor map (for example all inputs or all outputs of one run). */
  public static Digest digest(Map<String, Tensor> tensors) {
    MessageDigest md = Digest.newSha256();
    writeMap(tensors, md::update, t -> t.updateDigest(md));
    return new Digest(dev.verity.core.Bytes.copyOf(md.digest()));
  }

  /**
   * The canonical encoding of a named tensor map, the bytes whose SHA-256 is {@link #digest(Map)}:
   * {@code "VTMP"}, version 1, the entry count (u32 LE), then per entry in unsigned byte order of
   * the UTF-8 names: name length (u32 LE), name, length of the tensor's encoding (u64 LE) and the
   * tensor's {@link #encode encoding}.
   */
  public static byte[] encodeMap(Map<String, Tensor> tensors) {
    long total = 9;
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      total +=
          12 + e.getKey().getBytes(StandardCharsets.UTF_8).length + encodedLength(e.getValue());
    }
    if (total > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("tensor map too large to encode: " + total + " bytes");
    }
    ByteBuffer out = ByteBuffer.allocate((int) total);
    writeMap(tensors, out::put, t -> out.put(t.buffer()));
    return out.array();
  }

  /** Parses {@link #encodeMap}'s bytes; the error names what is wrong. */
  public static Map<String, Tensor> decodeMap(byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (bytes.length < 9) {
      throw new IllegalArgumentException(
          "tensor map encoding too short: " + bytes.length + " bytes");
    }
    byte[] magic = new byte[4];
    b.get(magic);
    if (!Arrays.equals(magic, MAP_MAGIC)) {
      throw new IllegalArgumentException("tensor map encoding does not start with VTMP");
    }
    byte version = b.get();
    if (version != VERSION) {
      throw new IllegalArgumentException("unknown tensor map encoding version " + version);
    }
    long count = Integer.toUnsignedLong(b.getInt());
    Map<String, Tensor> out = new java.util.LinkedHashMap<>();
    byte[] previous = null;
    for (long i = 0; i < count; i++) {
      if (b.remaining() < 4) {
        throw new IllegalArgumentException("tensor map encoding truncated at entry " + i);
      }
      long nameLength = Integer.toUnsignedLong(b.getInt());
      if (b.remaining() < nameLength + 8) {
        throw new IllegalArgumentException("tensor map encoding truncated in entry " + i);
      }
      byte[] name = new byte[(int) nameLength];
      b.get(name);
      if (previous != null && Arrays.compareUnsigned(previous, name) >= 0) {
        throw new IllegalArgumentException(
            "tensor map entry " + i + " is out of order or repeats a name");
      }
      previous = name;
      long length = b.getLong();
      if (length < 0 || length > b.remaining()) {
        throw new IllegalArgumentException(
            "tensor map entry " + i + " claims " + length + " bytes, " + b.remaining() + " left");
      }
      byte[] enc = new byte[(int) length];
      b.get(enc);
      out.put(new String(name, StandardCharsets.UTF_8), decode(enc));
    }
    if (b.hasRemaining()) {
      throw new IllegalArgumentException(
          "tensor map encoding has " + b.remaining() + " bytes after its last entry");
    }
    return out;
  }

  /**
   * Writes the map encoding through {@code bytes} and each tensor's elements through {@code
   * elements}: one definition for both the digest (streamed, no copy) and the encoding.
   */
  private static void writeMap(
      Map<String, Tensor> tensors,
      java.util.function.Consumer<byte[]> bytes,
      java.util.function.Consumer<Tensor> elements) {
    List<byte[]> names = new ArrayList<>();
    Map<String, Tensor> byName = Map.copyOf(tensors);
    for (String n : byName.keySet()) {
      names.add(n.getBytes(StandardCharsets.UTF_8));
    }
    names.sort(Arrays::compareUnsigned);
    ByteBuffer head = ByteBuffer.allocate(9).order(ByteOrder.LITTLE_ENDIAN);
    head.put(MAP_MAGIC).put(VERSION).putInt(names.size());
    bytes.accept(head.array());
    for (byte[] name : names) {
      // The name, the encoding's length, its header, then the elements in place: the same
      // bytes as encode(t) without copying a large input into a new array first.
      Tensor t = byName.get(new String(name, StandardCharsets.UTF_8));
      ByteBuffer h = ByteBuffer.allocate(12 + name.length).order(ByteOrder.LITTLE_ENDIAN);
      h.putInt(name.length).put(name).putLong(encodedLength(t));
      bytes.accept(h.array());
      bytes.accept(header(t.type(), t.shape()));
      elements.accept(t);
    }
  }
}
