package dev.verity.engine.ort;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;
import dev.verity.engine.DataType;
import dev.verity.engine.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * Converts between Verity tensors (little-endian canonical bytes) and ORT tensors (native-order
 * direct buffers). Conversions copy element bits exactly; nothing is rounded or reinterpreted.
 */
final class OrtTensors {
  private OrtTensors() {}

  /** The ORT Java element type carrying {@code type}, if ORT's Java API can create it. */
  static Optional<OnnxJavaType> javaType(DataType type) {
    return Optional.ofNullable(
        switch (type) {
          case FLOAT32 -> OnnxJavaType.FLOAT;
          case FLOAT64 -> OnnxJavaType.DOUBLE;
          case FLOAT16 -> OnnxJavaType.FLOAT16;
          case INT8 -> OnnxJavaType.INT8;
          case UINT8 -> OnnxJavaType.UINT8;
          case INT16 -> OnnxJavaType.INT16;
          case INT32 -> OnnxJavaType.INT32;
          case INT64 -> OnnxJavaType.INT64;
          case BOOL -> OnnxJavaType.BOOL;
          // ORT's Java API has no unsigned 16/32/64-bit carriers.
          case UINT16, UINT32, UINT64 -> null;
        });
  }

  /** The Verity type of an ORT tensor element type, or empty for strings and other exotics. */
  static Optional<DataType> dataType(TensorInfo.OnnxTensorType onnxType) {
    // Mapped by name: the Java enum's numeric values are its own, not ONNX's type codes.
    return Optional.ofNullable(
        switch (onnxType) {
          case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT -> DataType.FLOAT32;
          case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE -> DataType.FLOAT64;
          case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16 -> DataType.FLOAT16;
          case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8 -> DataType.INT8;
          case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8 -> DataType.UINT8;
          case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16 -> DataType.INT16;
          case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT16 -> DataType.UINT16;
          case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32 -> DataType.INT32;
          case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT32 -> DataType.UINT32;
          case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64 -> DataType.INT64;
          case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT64 -> DataType.UINT64;
          case ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL -> DataType.BOOL;
          default -> null;
        });
  }

  /**
   * Creates an ORT tensor backed by a fresh direct buffer. The caller closes it. {@code type} must
   * be one {@link #javaType} maps.
   */
  static OnnxTensor toOrt(OrtEnvironment env, Tensor tensor, OnnxJavaType type)
      throws OrtException {
    ByteBuffer src = tensor.buffer();
    ByteBuffer dst = ByteBuffer.allocateDirect(src.remaining()).order(ByteOrder.nativeOrder());
    copyReordering(src, dst, tensor.type().byteSize());
    dst.rewind();
    return OnnxTensor.createTensor(env, dst, tensor.shape(), type);
  }

  /** Copies an ORT output tensor into a Verity tensor of {@code type}. */
  static Tensor fromOrt(OnnxTensor tensor, DataType type) {
    long[] shape = tensor.getInfo().getShape();
    ByteBuffer src = tensor.getByteBuffer().order(ByteOrder.nativeOrder());
    ByteBuffer dst = ByteBuffer.allocate(src.remaining()).order(ByteOrder.LITTLE_ENDIAN);
    copyReordering(src, dst, type.byteSize());
    return Tensor.ofBytes(type, shape, dst.array());
  }

  /** Copies whole elements of {@code width} bytes, converting between the two buffers' orders. */
  private static void copyReordering(ByteBuffer src, ByteBuffer dst, int width) {
    switch (width) {
      case 1 -> dst.put(src);
      case 2 -> dst.asShortBuffer().put(src.asShortBuffer());
      case 4 -> dst.asIntBuffer().put(src.asIntBuffer());
      case 8 -> dst.asLongBuffer().put(src.asLongBuffer());
      default -> throw new IllegalArgumentException("unsupported element width " + width);
    }
  }
}
