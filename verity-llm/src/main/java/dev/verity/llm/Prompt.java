package dev.verity.llm;

import java.util.List;
import java.util.Objects;

/** What generation starts from: text to tokenize, or tokens used as given. */
public sealed interface Prompt {
  /** Text, encoded with BOS and the dummy-prefix space as llama2.c does. */
  record Text(String text) implements Prompt {
    public Text {
      Objects.requireNonNull(text, "text");
    }
  }

  /** Token ids used unchanged (include BOS yourself); at least one. */
  record Tokens(List<Integer> tokens) implements Prompt {
    public Tokens {
      tokens = List.copyOf(tokens);
      if (tokens.isEmpty()) {
        throw new IllegalArgumentException("a token prompt needs at least one token");
      }
    }
  }

  static Prompt text(String text) {
    return new Text(text);
  }

  static Prompt tokens(List<Integer> tokens) {
    return new Tokens(tokens);
  }
}
