package dev.verity.llm;

/**
 * Receives generated tokens as they are produced, for streaming. {@code text} is the newly
 * completed UTF-8 text; it can be empty when a token ends inside a multi-byte character, and all
 * deltas concatenated equal {@link Generation#text()}. If the text ends inside a malformed UTF-8
 * sequence, one last call repeats the last index and token with the replacement character. An
 * exception thrown here aborts the generation and propagates to the caller.
 */
@FunctionalInterface
public interface TokenListener {
  TokenListener NONE = (index, token, text) -> {};

  /** Called for the {@code index}-th generated token (0-based). */
  void onToken(int index, int token, String text);
}
