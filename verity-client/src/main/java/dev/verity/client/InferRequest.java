package dev.verity.client;

import dev.verity.engine.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One inference request: the model ({@code name}, {@code name@version} or a manifest digest), the
 * engine ({@code strict} or {@code ort}), named input tensors, the verification policy ({@code
 * none}, {@code sample:0.1}, ...) and the request id ({@code ""} lets the node choose one).
 */
public record InferRequest(
    String model, String engine, Map<String, Tensor> inputs, String policy, String requestId) {
  public InferRequest {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(engine, "engine");
    if (model.isBlank()) {
      throw new IllegalArgumentException("model must not be empty");
    }
    inputs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(inputs));
    if (inputs.isEmpty()) {
      throw new IllegalArgumentException("an inference needs at least one input tensor");
    }
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(requestId, "requestId");
  }

  /** The strict engine, policy {@code none}, a node-chosen request id. */
  public static InferRequest of(String model, Map<String, Tensor> inputs) {
    return new InferRequest(model, "strict", inputs, "none", "");
  }

  public InferRequest withEngine(String e) {
    return new InferRequest(model, e, inputs, policy, requestId);
  }

  public InferRequest withPolicy(String p) {
    return new InferRequest(model, engine, inputs, p, requestId);
  }

  public InferRequest withRequestId(String id) {
    return new InferRequest(model, engine, inputs, policy, id);
  }
}
