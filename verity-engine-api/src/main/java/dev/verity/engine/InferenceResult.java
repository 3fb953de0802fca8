package dev.verity.engine;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Outputs by name in the graph's declared order, and the trace commitment when one was asked. */
public record InferenceResult(Map<String, Tensor> outputs, Optional<TraceCommitment> trace) {
  public InferenceResult {
    outputs = Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
  }
}
