package dev.verity.audit;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the shared models. */
public final class TestFiles {
  private TestFiles() {}

  public static Path shared() {
    String p = System.getProperty("verity.shared");
    if (p != null && Files.isDirectory(Path.of(p))) {
      return Path.of(p);
    }
    return Path.of("..", "..", "shared").toAbsolutePath().normalize();
  }

  public static Path model(String relative) {
    return shared().resolve("models").resolve(relative);
  }
}
