package dev.verity.cli.model;

import dev.verity.cli.CliException;
import dev.verity.core.FormatException;
import dev.verity.core.key.KeyFiles;
import dev.verity.core.key.VerifyingKey;
import java.nio.file.Files;
import java.nio.file.Path;

/** Parses {@code --publisher}: a key text {@code ed25519:<base64>} or a public key file. */
final class PublisherOption {
  private PublisherOption() {}

  static VerifyingKey parse(String value) throws Exception {
    if (value == null) {
      return null;
    }
    if (value.startsWith(VerifyingKey.PREFIX)) {
      try {
        return VerifyingKey.parse(value);
      } catch (FormatException e) {
        throw new CliException("--publisher: " + e.getMessage());
      }
    }
    Path p = Path.of(value);
    if (Files.isRegularFile(p)) {
      return KeyFiles.readPublic(p);
    }
    throw new CliException(
        "--publisher must be a public key (ed25519:<base64>) or a public key file; got '"
            + value
            + "'");
  }
}
