package dev.verity.node.audit;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.function.UnaryOperator;

/**
 * Minimal protobuf rewriting of ONNX model bytes, for fault injection only: a provider that
 * substitutes a quantized model, or skips a layer. Walks ModelProto.graph (7), GraphProto.node (1)
 * / initializer (5), NodeProto.op_type (4), TensorProto.data_type (2) / float_data (4) / raw_data
 * (9).
 */
public final class OnnxRewrite {
  private OnnxRewrite() {}

  /** Every float initializer rounded to bfloat16 (8-bit mantissa), kept as float32. */
  public static byte[] quantizeToBfloat16(byte[] model) {
    return mapField(model, 7, g -> mapField(g, 5, OnnxRewrite::quantizeTensor));
  }

  /**
   * The first node whose op_type is {@code op} becomes Identity: a skipped layer. Its output keeps
   * its name, so the graph and the trace keep their shape.
   */
  public static byte[] skipFirst(byte[] model, String op) {
    boolean[] done = new boolean[1];
    byte[] out =
        mapField(
            model,
            7,
            g ->
                mapField(
                    g,
                    1,
                    node -> {
                      if (done[0] || !op.equals(stringField(node, 4))) {
                        return node;
                      }
                      done[0] = true;
                      return mapField(node, 4, t -> "Identity".getBytes(StandardCharsets.UTF_8));
                    }));
    if (!done[0]) {
      throw new IllegalArgumentException("the model has no " + op + " node to skip");
    }
    return out;
  }

  private static byte[] quantizeTensor(byte[] tensor) {
    if (varintField(tensor, 2) != 1) {
      return tensor;
    }
    UnaryOperator<byte[]> q =
        raw -> {
          ByteBuffer b = ByteBuffer.wrap(raw.clone()).order(ByteOrder.LITTLE_ENDIAN);
          for (int i = 0; i + 4 <= raw.length; i += 4) {
            int bits = b.getInt(i);
            // Round to nearest even at bit 16, then drop the low 16 bits.
            int rounded = (bits + 0x7FFF + ((bits >>> 16) & 1)) & 0xFFFF0000;
            b.putInt(i, rounded);
          }
          return b.array();
        };
    return mapField(mapField(tensor, 9, q), 4, q);
  }

  /** Replaces the value of every length-delimited occurrence of {@code field}. */
  static byte[] mapField(byte[] msg, int field, UnaryOperator<byte[]> f) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(msg.length + 16);
    int[] pos = {0};
    while (pos[0] < msg.length) {
      int start = pos[0];
      long key = varint(msg, pos);
      int wire = (int) (key & 7);
      int num = (int) (key >>> 3);
      switch (wire) {
        case 0 -> varint(msg, pos);
        case 1 -> pos[0] += 8;
        case 5 -> pos[0] += 4;
        case 2 -> {
          int len = (int) varint(msg, pos);
          int vStart = pos[0];
          pos[0] += len;
          if (num == field) {
            byte[] v = new byte[len];
            System.arraycopy(msg, vStart, v, 0, len);
            byte[] nv = f.apply(v);
            writeVarint(out, key);
            writeVarint(out, nv.length);
            out.writeBytes(nv);
            continue;
          }
        }
        default -> throw new IllegalArgumentException("unsupported protobuf wire type " + wire);
      }
      if (pos[0] > msg.length) {
        throw new IllegalArgumentException("truncated protobuf message");
      }
      out.write(msg, start, pos[0] - start);
    }
    return out.toByteArray();
  }

  private static String stringField(byte[] msg, int field) {
    int[] pos = {0};
    while (pos[0] < msg.length) {
      long key = varint(msg, pos);
      int wire = (int) (key & 7);
      if (wire == 2) {
        int len = (int) varint(msg, pos);
        if ((key >>> 3) == field) {
          return new String(msg, pos[0], len, StandardCharsets.UTF_8);
        }
        pos[0] += len;
      } else {
        skip(msg, pos, wire);
      }
    }
    return null;
  }

  private static long varintField(byte[] msg, int field) {
    int[] pos = {0};
    while (pos[0] < msg.length) {
      long key = varint(msg, pos);
      int wire = (int) (key & 7);
      if (wire == 0 && (key >>> 3) == field) {
        return varint(msg, pos);
      }
      if (wire == 2) {
        pos[0] += (int) varint(msg, pos);
      } else {
        skip(msg, pos, wire);
      }
    }
    return -1;
  }

  private static void skip(byte[] msg, int[] pos, int wire) {
    switch (wire) {
      case 0 -> varint(msg, pos);
      case 1 -> pos[0] += 8;
      case 5 -> pos[0] += 4;
      default -> throw new IllegalArgumentException("unsupported protobuf wire type " + wire);
    }
  }

  private static long varint(byte[] b, int[] pos) {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos[0] >= b.length) {
        throw new IllegalArgumentException("truncated protobuf varint");
      }
      int x = b[pos[0]++] & 0xFF;
      v |= (long) (x & 0x7F) << shift;
      if ((x & 0x80) == 0) {
        return v;
      }
    }
    throw new IllegalArgumentException("protobuf varint too long");
  }

  private static void writeVarint(ByteArrayOutputStream out, long v) {
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }
}
