package dev.verity.llm;

/**
 * Bounds on one request: the context (prompt plus generated tokens) and the generated tokens. The
 * model's own {@code seq_len} bounds the context as well.
 */
public record LlmLimits(int maxContextTokens, int maxNewTokens) {
  public static final LlmLimits DEFAULT = new LlmLimits(4096, 2048);

  /**
   * Only the model's own context bounds a request: for re-executing a request another node accepted
   * under its own limits, which may be wider than this node would serve.
   */
  public static final LlmLimits MODEL_ONLY = new LlmLimits(Integer.MAX_VALUE, Integer.MAX_VALUE);

  public LlmLimits {
    if (maxContextTokens < 2 || maxNewTokens < 1) {
      throw new IllegalArgumentException(
          "limits must allow a context of 2 and one new token: "
              + maxContextTokens
              + ", "
              + maxNewTokens);
    }
  }
}
