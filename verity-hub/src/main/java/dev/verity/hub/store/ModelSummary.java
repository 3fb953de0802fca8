package dev.verity.hub.store;

import dev.verity.core.Digest;
import dev.verity.core.key.VerifyingKey;
import dev.verity.hub.manifest.ModelFormat;
import dev.verity.hub.manifest.SignedManifest;
import java.time.Instant;
import java.util.Objects;

/** One published model version as listed by a {@link ModelStore}. */
public record ModelSummary(
    String name,
    String version,
    Digest digest,
    ModelFormat format,
    int fileCount,
    long totalSize,
    Instant createdAt,
    Instant publishedAt,
    VerifyingKey publisher) {

  public ModelSummary {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(publishedAt, "publishedAt");
    Objects.requireNonNull(publisher, "publisher");
  }

  static ModelSummary of(SignedManifest m, Instant publishedAt) {
    var man = m.manifest();
    return new ModelSummary(
        man.name(),
        man.version(),
        m.digest(),
        man.format(),
        man.files().size(),
        man.totalSize(),
        man.createdAt(),
        publishedAt,
        man.publisher());
  }
}
