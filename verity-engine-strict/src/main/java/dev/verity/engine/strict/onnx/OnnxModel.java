package dev.verity.engine.strict.onnx;

import dev.verity.engine.strict.ops.Nd;
import java.util.List;
import java.util.Map;

/**
 * The subset of an ONNX {@code ModelProto} the strict engine reads. Field numbers follow onnx.proto
 * (Debian libonnx-dev, /usr/include/onnx/onnx.proto, Apache-2.0).
 */
public record OnnxModel(long irVersion, Map<String, Long> opsets, Graph graph) {

  /** {@code GraphProto}: nodes in file order, initializers by name, declared inputs/outputs. */
  public record Graph(
      String name,
      List<Node> nodes,
      Map<String, Nd> initializers,
      List<ValueInfo> inputs,
      List<ValueInfo> outputs) {}

  /** {@code NodeProto}. Empty input names mean an omitted optional input. */
  public record Node(
      String name,
      String opType,
      String domain,
      List<String> inputs,
      List<String> outputs,
      Map<String, Attribute> attributes) {}

  /**
   * {@code ValueInfoProto} with a tensor type; {@code elemType} is the ONNX code or -1 when the
   * value is not a tensor. A dim of -1 is unknown; {@code dimNames} holds symbolic names.
   */
  public record ValueInfo(String name, int elemType, List<Long> dims, List<String> dimNames) {}

  /** Opset version of the default ONNX domain. */
  public long defaultOpset() {
    Long v = opsets.get("");
    if (v == null) {
      v = opsets.get("ai.onnx");
    }
    return v == null ? 1 : v;
  }
}
