package dev.verity.engine.strict.ops;

import dev.verity.engine.DataType;
import dev.verity.engine.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The engine's internal dense tensor. Float32 lives in {@code f}, float64 in {@code d}, and every
 * integer or bool type in {@code l} (values already wrapped to the type's range). Treated as
 * immutable once an operator has produced it.
 */
public final class Nd {
  public final DataType type;
  public final int[] shape;
  public final int size;
  public final float[] f;
  public final double[] d;
  public final long[] l;

  private Nd(DataType type, int[] shape, float[] f, double[] d, long[] l) {
    this.type = type;
    this.shape = shape;
    this.size = Math.toIntExact(count(shape));
    this.f = f;
    this.d = d;
    this.l = l;
    int len = f != null ? f.length : d != null ? d.length : l.length;
    if (len != size) {
      throw new IllegalArgumentException(
          "data length " + len + " does not match shape " + Arrays.toString(shape));
    }
  }

  public static Nd floats(int[] shape, float[] f) {
    return new Nd(DataType.FLOAT32, shape, f, null, null);
  }

  public static Nd doubles(int[] shape, double[] d) {
    return new Nd(DataType.FLOAT64, shape, null, d, null);
  }

  public static Nd longs(DataType type, int[] shape, long[] l) {
    if (!isIntegral(type)) {
      throw new IllegalArgumentException("not an integer type: " + type);
    }
    return new Nd(type, shape, null, null, l);
  }

  /** A zero-filled tensor of the given type. */
  public static Nd zeros(DataType type, int[] shape) {
    int n = Math.toIntExact(count(shape));
    return switch (type) {
      case FLOAT32 -> floats(shape, new float[n]);
      case FLOAT64 -> doubles(shape, new double[n]);
      default -> longs(type, shape, new long[n]);
    };
  }

  public static boolean isIntegral(DataType t) {
    return t != DataType.FLOAT32 && t != DataType.FLOAT64 && t != DataType.FLOAT16;
  }

  public static boolean supported(DataType t) {
    return t != DataType.FLOAT16;
  }

  public int rank() {
    return shape.length;
  }

  /** Bytes this tensor occupies in the canonical encoding (used for memory accounting). */
  public long bytes() {
    return (long) size * type.byteSize();
  }

  public static long count(int[] shape) {
    long n = 1;
    for (int s : shape) {
      if (s < 0) {
        throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
      }
      n = Math.multiplyExact(n, s);
    }
    return n;
  }

  /** Element {@code i} as a double (any type). */
  public double getDouble(int i) {
    return f != null ? f[i] : d != null ? d[i] : (double) l[i];
  }

  /** Element {@code i} as a long (integers exact, floats truncated toward zero). */
  public long getLong(int i) {
    return l != null ? l[i] : f != null ? (long) f[i] : (long) d[i];
  }

  /** Wraps a value to the range of an integer type, as C casts and ONNX Cast do. */
  public static long wrap(DataType t, long v) {
    return switch (t) {
      case BOOL -> v != 0 ? 1 : 0;
      case INT8 -> (byte) v;
      case UINT8 -> v & 0xff;
      case INT16 -> (short) v;
      case UINT16 -> v & 0xffff;
      case INT32 -> (int) v;
      case UINT32 -> v & 0xffffffffL;
      default -> v;
    };
  }

  public Nd reshape(int[] newShape) {
    return new Nd(type, newShape, f, d, l);
  }

  public Tensor toTensor() {
    long[] s = new long[shape.length];
    for (int i = 0; i < s.length; i++) {
      s[i] = shape[i];
    }
    ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(bytes())).order(ByteOrder.LITTLE_ENDIAN);
    switch (type) {
      // NaN sign and payload differ between CPUs and between scalar and vector code, so every
      // NaN leaves the engine in the canonical quiet form (0x7fc00000 / 0x7ff8000000000000).
      case FLOAT32 -> {
        for (float v : f) {
          b.putInt(Float.floatToIntBits(v));
        }
      }
      case FLOAT64 -> {
        for (double v : d) {
          b.putLong(Double.doubleToLongBits(v));
        }
      }
      default -> {
        int w = type.byteSize();
        for (long v : l) {
          switch (w) {
            case 1 -> b.put((byte) v);
            case 2 -> b.putShort((short) v);
            case 4 -> b.putInt((int) v);
            default -> b.putLong(v);
          }
        }
      }
    }
    return Tensor.ofBytes(type, s, b.array());
  }

  /** Decodes little-endian element bytes of a supported type. */
  public static Nd fromLittleEndian(DataType type, int[] shape, byte[] buf, int off, int len) {
    int n = Math.toIntExact(count(shape));
    if ((long) n * type.byteSize() != len) {
      throw new IllegalArgumentException(
          "tensor of shape "
              + Arrays.toString(shape)
              + " and type "
              + type
              + " needs "
              + (long) n * type.byteSize()
              + " bytes, got "
              + len);
    }
    ByteBuffer b = ByteBuffer.wrap(buf, off, len).slice().order(ByteOrder.LITTLE_ENDIAN);
    switch (type) {
      case FLOAT32 -> {
        float[] f = new float[n];
        b.asFloatBuffer().get(f);
        return floats(shape, f);
      }
      case FLOAT64 -> {
        double[] d = new double[n];
        b.asDoubleBuffer().get(d);
        return doubles(shape, d);
      }
      case FLOAT16 -> throw new IllegalArgumentException("float16 tensors are not supported");
      default -> {
        long[] l = new long[n];
        for (int i = 0; i < n; i++) {
          l[i] =
              switch (type) {
                case BOOL -> b.get() != 0 ? 1 : 0;
                case INT8 -> b.get();
                case UINT8 -> b.get() & 0xff;
                case INT16 -> b.getShort();
                case UINT16 -> b.getShort() & 0xffff;
                case INT32 -> b.getInt();
                case UINT32 -> b.getInt() & 0xffffffffL;
                default -> b.getLong();
              };
        }
        return longs(type, shape, l);
      }
    }
  }

  public static Nd fromTensor(Tensor t) {
    long[] s = t.shape();
    int[] shape = new int[s.length];
    for (int i = 0; i < s.length; i++) {
      shape[i] = Math.toIntExact(s[i]);
    }
    byte[] data = t.data();
    return fromLittleEndian(t.type(), shape, data, 0, data.length);
  }

  @Override
  public String toString() {
    return "Nd[" + type + " " + Arrays.toString(shape) + "]";
  }
}
