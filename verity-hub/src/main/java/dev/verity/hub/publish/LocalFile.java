package dev.verity.hub.publish;

import dev.verity.hub.manifest.ManifestFile;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A file of a model on local disk: its manifest path (relative, '/'-separated), where it is, and
 * its size when listed.
 */
public record LocalFile(String path, Path file, long size) {
  public LocalFile {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(file, "file");
    ManifestFile.checkPath(path);
    if (size < 0) {
      throw new IllegalArgumentException("size must be >= 0");
    }
  }
}
