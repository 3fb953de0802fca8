package dev.verity.engine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable dense tensor: element type, shape, and elements in row-major order stored as
 * little-endian bytes. The byte form is the canonical one that digests and trace commitments hash.
 */
public final class Tensor {
  private final DataType type;
  private final long[] shape;
  private final byte[] data;

  private Tensor(DataType type, long[] shape, byte[] data) {
    this.type = Objects.requireNonNull(type, "type");
    this.shape = shape;
    this.data = data;
    long count = elementCount(shape);
    if ((long) data.length != count * type.byteSize()) {
      throw new IllegalArgumentException(
          "tensor of type "
              + type
              + " and shape "
              + Arrays.toString(shape)
              + " needs "
              + count * type.byteSize()
              + " bytes, got "
              + data.length);
    }
  }

  /** Wraps little-endian element bytes; the array is copied. */
  public static Tensor ofBytes(DataType type, long[] shape, byte[] littleEndianData) {
    return new Tensor(type, shape.clone(), littleEndianData.clone());
  }

  public static Tensor ofFloats(long[] shape, float[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values);
    return new Tensor(DataType.FLOAT32, shape.clone(), b.array());
  }

  public static Tensor ofLongs(long[] shape, long[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    b.asLongBuffer().put(values);
    return new Tensor(DataType.INT64, shape.clone(), b.array());
  }

  public static Tensor ofInts(long[] shape, int[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asIntBuffer().put(values);
    return new Tensor(DataType.INT32, shape.clone(), b.array());
  }

  public DataType type() {
    return type;
  }

  public long[] shape() {
    return shape.clone();
  }

  public int rank() {
    return shape.length;
  }

  public long elementCount() {
    return elementCount(shape);
  }

  /** The canonical little-endian element bytes (a copy). */
  public byte[] data() {
    return data.clone();
  }

  /** Feeds the element bytes to {@code md} without copying them (digests of large inputs). */
  void updateDigest(java.security.MessageDigest md) {
    md.update(data);
  }

  /** A read-only little-endian view of the elements, without copying. */
  public ByteBuffer buffer() {
    return ByteBuffer.wrap(data).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  public float[] toFloats() {
    requireType(DataType.FLOAT32);
    float[] out = new float[(int) elementCount()];
    buffer().asFloatBuffer().get(out);
    return out;
  }

  public long[] toLongs() {
    requireType(DataType.INT64);
    long[] out = new long[(int) elementCount()];
    buffer().asLongBuffer().get(out);
    return out;
  }

  public int[] toInts() {
    requireType(DataType.INT32);
    int[] out = new int[(int) elementCount()];
    buffer().asIntBuffer().get(out);
    return out;
  }

  private void requireType(DataType expected) {
    if (type != expected) {
      throw new IllegalStateException("tensor has type " + type + ", not " + expected);
    }
  }

  /** SHA-256 of the canonical encoding ({@link TensorEncoding#encode}). */
  public dev.verity.core.Digest digest() {
    return TensorEncoding.digest(this);
  }

  public static long elementCount(long[] shape) {
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
      }
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Tensor t
        && type == t.type
        && Arrays.equals(shape, t.shape)
        && Arrays.equals(data, t.data);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, Arrays.hashCode(shape), Arrays.hashCode(data));
  }

  @Override
  public String toString() {
    return "Tensor[" + type + " " + Arrays.toString(shape) + "]";
  }
}
