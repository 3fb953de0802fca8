package dev.verity.engine;

import java.util.List;
import java.util.Map;

/** A model ready to run. Implementations are safe for concurrent {@link #run} calls. */
public interface LoadedModel extends AutoCloseable {
  List<TensorSpec> inputs();

  List<TensorSpec> outputs();

  /** Runs the model; throws {@link InferenceException} naming the bad input or exceeded limit. */
  InferenceResult run(Map<String, Tensor> inputs, RunOptions options) throws InferenceException;

  @Override
  void close();
}
