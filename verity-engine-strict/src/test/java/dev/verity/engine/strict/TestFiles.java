package dev.verity.engine.strict;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates shared models and the ONNX backend test data. */
final class TestFiles {
  private TestFiles() {}

  static Path shared() {
    String p = System.getProperty("verity.shared");
    if (p != null && Files.isDirectory(Path.of(p))) {
      return Path.of(p);
    }
    return Path.of("..", "..", "shared").toAbsolutePath().normalize();
  }

  static Path model(String relative) {
    return shared().resolve("models").resolve(relative);
  }

  static final Path ONNX_NODE_TESTS = Path.of("/usr/share/libonnx-testdata/data/node");
}
