package dev.verity.llm.trace;

import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * One committed activation: the residual stream leaving {@code layer} at {@code position}, where
 * {@code token} is the input token at that position. {@code activation} holds float32 little-endian
 * values. Its leaf data (docs/TRACE.md) is {@code u32be position || u32be layer || u32be token ||
 * u32be count || activation}.
 */
public record TraceLeaf(int position, int layer, int token, Bytes activation) {
  public static final int HEADER_BYTES = 16;

  public TraceLeaf {
    if (position < 0 || layer < 0 || token < 0) {
      throw new IllegalArgumentException(
          "position, layer and token must be non-negative: "
              + position
              + ", "
              + layer
              + ", "
              + token);
    }
    Objects.requireNonNull(activation, "activation");
    if (activation.length() % 4 != 0 || activation.length() == 0) {
      throw new IllegalArgumentException(
          "activation must be a non-empty float32 array, got " + activation.length() + " bytes");
    }
  }

  public static TraceLeaf of(int position, int layer, int token, float[] values) {
    return new TraceLeaf(position, layer, token, Bytes.copyOf(floatBytes(values, values.length)));
  }

  public float[] values() {
    float[] out = new float[activation.length() / 4];
    ByteBuffer.wrap(activation.toByteArray())
        .order(ByteOrder.LITTLE_ENDIAN)
        .asFloatBuffer()
        .get(out);
    return out;
  }

  /** The leaf data that is hashed (without the RFC 9162 0x00 prefix). */
  public byte[] leafData() {
    return encode(position, layer, token, activation.toByteArray());
  }

  public Digest leafHash() {
    return MerkleTree.leafHash(leafData());
  }

  static byte[] encode(int position, int layer, int token, byte[] floats) {
    ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + floats.length).order(ByteOrder.BIG_ENDIAN);
    b.putInt(position).putInt(layer).putInt(token).putInt(floats.length / 4).put(floats);
    return b.array();
  }

  static byte[] floatBytes(float[] values, int count) {
    ByteBuffer b = ByteBuffer.allocate(4 * count).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < count; i++) {
      b.putFloat(values[i]);
    }
    return b.array();
  }
}
