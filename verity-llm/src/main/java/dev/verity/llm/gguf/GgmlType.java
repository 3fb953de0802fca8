package dev.verity.llm.gguf;

/** The tensor element types this reader dequantizes, numbered as in ggml. */
public enum GgmlType {
  F32(0, 1, 4),
  F16(1, 1, 2),
  Q8_0(8, 32, 34);

  private final int id;
  private final int blockElements;
  private final int blockBytes;

  GgmlType(int id, int blockElements, int blockBytes) {
    this.id = id;
    this.blockElements = blockElements;
    this.blockBytes = blockBytes;
  }

  public int id() {
    return id;
  }

  /** Elements per block (32 for Q8_0: one float16 scale and 32 int8 values). */
  public int blockElements() {
    return blockElements;
  }

  public int blockBytes() {
    return blockBytes;
  }

  /** Bytes of {@code elements} values; {@code elements} must be a multiple of the block size. */
  public long bytesFor(long elements) {
    return elements / blockElements * blockBytes;
  }

  static GgmlType byId(int id, String tensor) throws GgufFormatException {
    for (GgmlType t : values()) {
      if (t.id == id) {
        return t;
      }
    }
    throw new GgufFormatException(
        "tensor '" + tensor + "' has ggml type " + id + "; supported are F32, F16 and Q8_0");
  }
}
