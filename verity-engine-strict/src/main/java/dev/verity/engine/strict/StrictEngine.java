package dev.verity.engine.strict;

import dev.verity.engine.EngineInfo;
import dev.verity.engine.EngineLimits;
import dev.verity.engine.InferenceEngine;
import dev.verity.engine.LoadedModel;
import dev.verity.engine.ModelLoadException;
import dev.verity.engine.NumericMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The strict engine: pure-Java ONNX inference whose outputs are bit-identical on every JVM, CPU and
 * thread count (rules in docs/ARITHMETIC.md). Thread count and the vectorized path are recorded in
 * {@link #info()} for transparency but do not affect output bits.
 */
public final class StrictEngine implements InferenceEngine {
  public static final String ID = "strict";
  public static final String VERSION = "0.1.0";

  private final StrictConfig config;
  // Built once: receipts name the engine on every request, and equal instances hash alike but
  // the same instance is found without hashing its config map.
  private final EngineInfo info;

  public StrictEngine() {
    this(StrictConfig.defaults());
  }

  public StrictEngine(StrictConfig config) {
    this.config = config;
    this.info =
        EngineInfo.of(
            ID,
            VERSION,
            Map.of(
                "arithmetic", StrictConfig.ARITHMETIC_RULES,
                "threads", Integer.toString(config.threads()),
                "vectorized", Boolean.toString(config.vectorized())),
            NumericMode.BITWISE);
  }

  public StrictConfig config() {
    return config;
  }

  @Override
  public EngineInfo info() {
    return info;
  }

  @Override
  public LoadedModel load(Path modelFile, EngineLimits limits) throws ModelLoadException {
    long size;
    try {
      size = Files.size(modelFile);
    } catch (IOException e) {
      throw new ModelLoadException(
          "cannot read model file " + modelFile + ": " + e.getMessage(), e);
    }
    if (size > Math.min(limits.maxTotalBytes(), Integer.MAX_VALUE - 8L)) {
      throw new ModelLoadException(
          "model file " + modelFile + " has " + size + " bytes, over the memory budget");
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(modelFile);
    } catch (IOException e) {
      throw new ModelLoadException(
          "cannot read model file " + modelFile + ": " + e.getMessage(), e);
    }
    return load(bytes, limits);
  }

  /** Loads a model from its serialized bytes. */
  public StrictModel load(byte[] modelBytes, EngineLimits limits) throws ModelLoadException {
    return StrictModel.compile(modelBytes, limits, config, info());
  }
}
