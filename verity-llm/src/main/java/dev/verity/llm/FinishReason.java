package dev.verity.llm;

/** Why generation ended, named as in the OpenAI API. */
public enum FinishReason {
  /** The model produced BOS or EOS. */
  STOP,
  /** {@code maxTokens} tokens were generated. */
  LENGTH
}
