package dev.verity.llm;

import dev.verity.engine.ModelLoadException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the shared tinyllamas model and loads it once per test JVM. */
public final class SharedModels {
  private static LlamaModel stories;

  private SharedModels() {}

  public static Path dir() {
    String p = System.getProperty("verity.shared");
    Path base = p != null ? Path.of(p) : Path.of("..", "..", "shared");
    if (!Files.isDirectory(base.resolve("models"))) {
      base = Path.of("..", "shared");
    }
    return base.resolve("models").resolve("tinyllamas");
  }

  public static Path checkpoint() {
    return dir().resolve("stories260K.bin");
  }

  public static Path tokenizer() {
    return dir().resolve("tok512.bin");
  }

  /** The stories260K model with default options (shared; do not close). */
  public static synchronized LlamaModel stories() throws ModelLoadException {
    if (stories == null) {
      stories = LlamaModel.load(checkpoint(), tokenizer());
    }
    return stories;
  }

  /** {@link #stories()} for lambdas that cannot throw checked exceptions. */
  public static LlamaModel storiesUnchecked() {
    try {
      return stories();
    } catch (ModelLoadException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The reference output of llama2.c's run for stories260K, temperature 0, 128 steps, prompt "Once
   * upon a time", as published in the shared README.
   */
  public static String referenceText() throws java.io.IOException {
    String readme = Files.readString(dir().getParent().getParent().resolve("README.md"));
    String marker = "prompt\n\"Once upon a time\":\n\n```\n";
    int start = readme.indexOf(marker);
    if (start < 0) {
      throw new IllegalStateException("reference output not found in the shared README");
    }
    start += marker.length();
    int end = readme.indexOf("\n```", start);
    return readme.substring(start, end);
  }
}
