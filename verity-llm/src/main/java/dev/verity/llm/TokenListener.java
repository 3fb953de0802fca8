package dev.verity.llm;

/**
 * Receives generated tokens as they are produced, for streaming. {@code text} is the newly
 * completed UTF-8 text; it can be empty when a token ends inside a multi-byte character, and all
 * deltas concatenated equal {@link Generation#text()}. An exception thrown here aborts the
 * generation and propagates to the caller.
 */
@FunctionalInterface
public interface TokenListener {
  TokenListener NONE = (index, token, text) -> {};

  /** Called for the {@code index}-th generated token (0-based). */
  void onToken(int index, int token, String text);
}
