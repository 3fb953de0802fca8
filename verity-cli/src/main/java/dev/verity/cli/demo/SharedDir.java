package dev.verity.cli.demo;

import dev.verity.cli.CliException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the shared models directory: system property {@code verity.shared}, environment {@code
 * VERITY_SHARED}, {@code ../shared} next to the repository root ({@code verity.root} or derived
 * from where the CLI's classes are), or {@code ../shared} from the working directory.
 */
public final class SharedDir {
  private SharedDir() {}

  public static Path locate() {
    List<Path> tried = new ArrayList<>();
    String prop = System.getProperty("verity.shared");
    if (prop != null && !prop.isBlank()) {
      return require(Path.of(prop), "system property verity.shared");
    }
    String env = System.getenv("VERITY_SHARED");
    if (env != null && !env.isBlank()) {
      return require(Path.of(env), "environment variable VERITY_SHARED");
    }
    String root = System.getProperty("verity.root");
    if (root != null && !root.isBlank()) {
      tried.add(Path.of(root).resolve("../shared").normalize());
    }
    codeRoot().ifPresent(r -> tried.add(r.resolve("../shared").normalize()));
    tried.add(Path.of("").toAbsolutePath().resolve("../shared").normalize());
    tried.add(Path.of("").toAbsolutePath().resolve("shared").normalize());
    for (Path p : tried) {
      if (Files.isDirectory(p.resolve("models"))) {
        return p;
      }
    }
    throw new CliException(
        "cannot find the shared models directory (tried "
            + tried
            + "); set VERITY_SHARED or -Dverity.shared to the directory holding models/");
  }

  private static Path require(Path p, String source) {
    if (!Files.isDirectory(p.resolve("models"))) {
      throw new CliException(source + " points to " + p + ", which has no models/ directory");
    }
    return p;
  }

  /** The repository root, when the CLI runs from {@code <root>/verity-cli/target/classes}. */
  private static java.util.Optional<Path> codeRoot() {
    try {
      var src = SharedDir.class.getProtectionDomain().getCodeSource();
      if (src == null) {
        return java.util.Optional.empty();
      }
      Path p = Path.of(src.getLocation().toURI());
      // target/classes or target/verity-cli.jar -> module dir -> repository root
      Path module = p.getParent() == null ? null : p.getParent().getParent();
      return module == null || module.getParent() == null
          ? java.util.Optional.empty()
          : java.util.Optional.of(module.getParent());
    } catch (URISyntaxException | RuntimeException e) {
      return java.util.Optional.empty();
    }
  }
}
