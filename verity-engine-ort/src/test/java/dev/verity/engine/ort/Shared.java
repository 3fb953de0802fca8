package dev.verity.engine.ort;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the shared models and data: system property verity.shared, else ../shared. */
final class Shared {
  private Shared() {}

  static Path dir() {
    String p = System.getProperty("verity.shared");
    if (p != null && Files.isDirectory(Path.of(p))) {
      return Path.of(p);
    }
    String root = System.getProperty("verity.root");
    Path base = root != null ? Path.of(root) : Path.of("").toAbsolutePath().getParent();
    return base.resolve("../shared").normalize();
  }

  static Path mnistModel() {
    return dir().resolve("models/mnist/mnist-7.onnx");
  }

  static Path mnistImages() {
    return dir().resolve("datasets/mnist/t10k-images-idx3-ubyte.gz");
  }

  static Path mnistLabels() {
    return dir().resolve("datasets/mnist/t10k-labels-idx1-ubyte.gz");
  }

  static Path light(String name) {
    return dir().resolve("models/onnx-light/light_" + name + ".onnx");
  }
}
