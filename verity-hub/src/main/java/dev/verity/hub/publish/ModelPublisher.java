package dev.verity.hub.publish;

import dev.verity.core.key.SigningKey;
import dev.verity.hub.manifest.ManifestFile;
import dev.verity.hub.manifest.ModelFormat;
import dev.verity.hub.manifest.ModelManifest;
import dev.verity.hub.manifest.SignedManifest;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Builds and signs the manifest of a model on local disk. */
public final class ModelPublisher {
  private ModelPublisher() {}

  /**
   * Hashes every file under {@code modelPath} (see {@link ModelHasher#listFiles}) and returns the
   * manifest signed by {@code key}, which becomes the manifest's publisher.
   *
   * @throws IllegalArgumentException if the name, version or an option is invalid
   * @throws IOException if the model cannot be read, or contains a symlink out of it or a file name
   *     that is not a valid manifest path
   */
  public static SignedManifest createManifest(
      Path modelPath, String name, String version, PublishOptions options, SigningKey key)
      throws IOException {
    ModelManifest.checkName(name);
    ModelManifest.checkVersion(version);
    List<LocalFile> local = ModelHasher.listFiles(modelPath);
    List<ManifestFile> files = new ModelHasher().hash(local, options.progress());
    ModelFormat format = options.format();
    if (format == null) {
      List<Path> paths = new ArrayList<>();
      local.forEach(f -> paths.add(f.file()));
      format = ModelFormat.detect(paths);
    }
    Instant createdAt = options.createdAt() == null ? Instant.now() : options.createdAt();
    ModelManifest manifest =
        new ModelManifest(
            name,
            version,
            format,
            files,
            options.parent(),
            options.license(),
            options.description(),
            options.source(),
            createdAt,
            key.verifyingKey());
    return SignedManifest.sign(manifest, key);
  }
}
