package dev.verity.cli.key;

import dev.verity.cli.CliException;
import dev.verity.cli.Paths;
import dev.verity.core.key.KeyFiles;
import dev.verity.core.key.SigningKey;
import java.nio.file.Files;
import java.nio.file.Path;

/** Loads the publisher key a command was given, or the default one, with a helpful error. */
public final class KeyLoader {
  private KeyLoader() {}

  public static SigningKey load(Path given) throws Exception {
    Path file = (given != null ? given : Paths.defaultKey()).toAbsolutePath();
    if (!Files.exists(file)) {
      throw new CliException(
          "no key file at "
              + file
              + (given == null ? "; create one with: verity key generate" : ""));
    }
    return KeyFiles.readPrivate(file);
  }
}
