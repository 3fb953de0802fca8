package dev.verity.engine;

import java.nio.file.Path;

/** An inference engine: loads models and describes the exact configuration it runs with. */
public interface InferenceEngine {
  /** Identity and pinned configuration; recorded in every receipt. */
  EngineInfo info();

  /**
   * Loads a model file. Unsupported operators, malformed files and models over the limits are
   * refused here with a {@link ModelLoadException} that names the problem.
   */
  LoadedModel load(Path modelFile, EngineLimits limits) throws ModelLoadException;
}
