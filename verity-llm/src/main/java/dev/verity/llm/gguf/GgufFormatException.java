package dev.verity.llm.gguf;

import dev.verity.engine.ModelLoadException;

/** A GGUF file is malformed, over a limit, or not a supported Llama model; the message says why. */
public class GgufFormatException extends ModelLoadException {
  public GgufFormatException(String message) {
    super(message);
  }
}
