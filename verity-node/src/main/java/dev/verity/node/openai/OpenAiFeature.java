package dev.verity.node.openai;

import dev.verity.core.Digest;
import dev.verity.llm.LlmLimits;
import dev.verity.llm.LlmOptions;
import dev.verity.node.NodeFeature;
import dev.verity.node.NodeServices;
import dev.verity.node.http.ApiModule;
import java.util.List;

/**
 * The OpenAI-compatible API as a node feature: language models from the node's store, run by the
 * bit-exact verity-llm engine, answered with receipts from the node's receipt log. Closing it
 * unloads the cached models.
 */
public final class OpenAiFeature implements NodeFeature {
  private final LlmOptions options;
  private final int cachedModels;
  private final int maxConcurrent;
  private LlmModels models;

  /**
   * @param options engine threads and request limits (context length, max_tokens)
   * @param cachedModels how many loaded models to keep in memory
   * @param maxConcurrent how many generations may run at once; more requests wait their turn
   */
  public OpenAiFeature(LlmOptions options, int cachedModels, int maxConcurrent) {
    if (cachedModels < 1 || maxConcurrent < 1) {
      throw new IllegalArgumentException("cachedModels and maxConcurrent must be at least 1");
    }
    this.options = options;
    this.cachedModels = cachedModels;
    this.maxConcurrent = maxConcurrent;
  }

  /** Two cached models, one generation per core, up to 4 matrix threads each. */
  public static OpenAiFeature defaults() {
    return defaults(LlmLimits.DEFAULT);
  }

  public static OpenAiFeature defaults(LlmLimits limits) {
    int cores = Runtime.getRuntime().availableProcessors();
    return new OpenAiFeature(
        LlmOptions.DEFAULT.withThreads(Math.max(1, Math.min(4, cores))).withLimits(limits),
        2,
        Math.max(1, cores));
  }

  @Override
  public synchronized List<ApiModule> start(NodeServices services) throws java.io.IOException {
    models =
        new LlmModels(
            services.models(),
            options,
            cachedModels,
            services.blobs().root().resolve("llm-scratch"));
    LlmArchive archive = LlmArchive.of(services);
    return List.of(
        new OpenAiApi(
            models,
            services.receipts(),
            maxConcurrent,
            archive,
            LlmTraceLie.of(services.inference().cheat())),
        archive);
  }

  /** Manifest digests of the models held in memory, least recently used first. */
  public synchronized List<Digest> loadedModels() {
    return models == null ? List.of() : models.loaded();
  }

  @Override
  public synchronized void close() {
    if (models != null) {
      models.close();
    }
  }
}
