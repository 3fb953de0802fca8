package dev.verity.cli.model;

import dev.verity.cli.CliException;
import dev.verity.client.VerityClient;
import dev.verity.core.Digest;
import dev.verity.hub.manifest.SignedManifest;
import java.io.IOException;

/** A model as the user names it: {@code NAME}, {@code NAME@VERSION} or a manifest digest. */
record ModelRef(String text) {
  SignedManifest resolve(VerityClient client) throws IOException {
    if (text.startsWith("sha256:")) {
      Digest d;
      try {
        d = Digest.parse(text);
      } catch (IllegalArgumentException e) {
        throw new CliException(e.getMessage());
      }
      return client.manifest(d);
    }
    int at = text.lastIndexOf('@');
    if (at == 0 || at == text.length() - 1) {
      throw new CliException(
          "'" + text + "' is not a model reference: use NAME, NAME@VERSION or sha256:<hex>");
    }
    if (at < 0) {
      return client.latest(text);
    }
    return client.model(text.substring(0, at), text.substring(at + 1));
  }
}
