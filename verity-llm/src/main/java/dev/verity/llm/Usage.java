package dev.verity.llm;

/** Token counts of one generation, as reported by the OpenAI API. */
public record Usage(int promptTokens, int completionTokens) {
  public Usage {
    if (promptTokens < 0 || completionTokens < 0) {
      throw new IllegalArgumentException("token counts must be non-negative");
    }
  }

  public int totalTokens() {
    return promptTokens + completionTokens;
  }
}
