package dev.verity.engine;

/** Tensor element types, numbered as ONNX's {@code TensorProto.DataType}. */
public enum DataType {
  FLOAT32(1, 4),
  UINT8(2, 1),
  INT8(3, 1),
  UINT16(4, 2),
  INT16(5, 2),
  INT32(6, 4),
  INT64(7, 8),
  BOOL(9, 1),
  FLOAT16(10, 2),
  FLOAT64(11, 8),
  UINT32(12, 4),
  UINT64(13, 8);

  private final int onnxCode;
  private final int byteSize;

  DataType(int onnxCode, int byteSize) {
    this.onnxCode = onnxCode;
    this.byteSize = byteSize;
  }

  public int onnxCode() {
    return onnxCode;
  }

  public int byteSize() {
    return byteSize;
  }

  public static DataType fromOnnxCode(int code) {
    for (DataType t : values()) {
      if (t.onnxCode == code) {
        return t;
      }
    }
    throw new IllegalArgumentException("unsupported ONNX tensor data type " + code);
  }
}
