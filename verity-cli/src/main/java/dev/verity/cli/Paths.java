package dev.verity.cli;

import java.nio.file.Path;

/** Where the CLI keeps its files: {@code verity.home}, {@code VERITY_HOME}, or ~/.verity. */
public final class Paths {
  private Paths() {}

  public static Path home() {
    String p = System.getProperty("verity.home");
    if (p == null || p.isBlank()) {
      p = System.getenv("VERITY_HOME");
    }
    if (p == null || p.isBlank()) {
      return Path.of(System.getProperty("user.home"), ".verity");
    }
    return Path.of(p);
  }

  public static Path defaultKey() {
    return home().resolve("keys").resolve("publisher.key");
  }

  /** The node URL: {@code VERITY_NODE} or the default local node. */
  public static String defaultNode() {
    String n = System.getenv("VERITY_NODE");
    return n == null || n.isBlank() ? "http://127.0.0.1:7070" : n;
  }
}
