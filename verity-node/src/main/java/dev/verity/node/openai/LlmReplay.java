package dev.verity.node.openai;

import dev.verity.core.Digest;
import dev.verity.engine.InferenceException;
import dev.verity.engine.ModelLoadException;
import dev.verity.hub.store.ModelStore;
import dev.verity.llm.Generation;
import dev.verity.llm.LlamaModel;
import dev.verity.llm.LlmOptions;
import dev.verity.llm.TraceMode;
import dev.verity.llm.trace.GenerationTrace;
import dev.verity.receipt.Receipt;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Re-executes LLM requests with the node's own copy of a model: what the auditor, the provider
 * rebuilding its trace for a dispute, and a referee re-running one (position, layer) step need.
 * Generation is deterministic (bit-exact engine, seeded sampler), so a re-execution with the
 * archived {@link LlmRequest} reproduces the receipt's output digest and trace root exactly; stop
 * sequences are applied as the API applies them ({@link GenerationRunner}).
 */
public final class LlmReplay implements AutoCloseable {
  /** The engine id of LLM receipts. */
  public static final String ENGINE_ID = "verity-llm";

  private final LlmModels models;

  /**
   * @param scratch a directory for the model files while a model loads
   */
  public LlmReplay(ModelStore store, LlmOptions options, Path scratch) {
    this.models = new LlmModels(store, options, 1, scratch);
  }

  public static boolean isLlm(Receipt r) {
    return ENGINE_ID.equals(r.engineId());
  }

  /** A re-executed request: its full trace (with activations) and output digest. */
  public record Replayed(GenerationTrace trace, List<Integer> completionTokens, Digest output) {}

  /** Re-executes {@code request} with the model of manifest {@code model}, keeping activations. */
  public Replayed replay(Digest model, LlmRequest request)
      throws IOException, ModelLoadException, InferenceException {
    try (LlmModels.Lease lease = models.acquire(model.toString())) {
      Generation g =
          GenerationRunner.run(
                  lease.get().model(), request.generation(TraceMode.FULL), request.stop(), t -> {})
              .generation();
      return new Replayed(
          g.trace(), g.completionTokens(), LlmRequest.outputDigest(g.completionTokens()));
    }
  }

  /** What a task needs from a loaded model, run while the model is held. */
  public interface ModelTask<T> {
    T run(LlamaModel model) throws Exception;
  }

  public <T> T withModel(Digest model, ModelTask<T> task) throws Exception {
    try (LlmModels.Lease lease = models.acquire(model.toString())) {
      return task.run(lease.get().model());
    }
  }

  @Override
  public void close() {
    models.close();
  }
}
