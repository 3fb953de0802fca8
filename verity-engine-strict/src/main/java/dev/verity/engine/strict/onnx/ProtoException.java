package dev.verity.engine.strict.onnx;

/** Malformed protobuf bytes or an ONNX structure outside what the strict engine accepts. */
public final class ProtoException extends Exception {
  public ProtoException(String message) {
    super(message);
  }
}
