package dev.verity.client;

import dev.verity.core.Digest;
import java.time.Instant;
import java.util.Objects;

/** One published model version as the node lists it. */
public record ModelSummary(
    String name,
    String version,
    Digest digest,
    String format,
    String description,
    String license,
    Instant createdAt,
    String publisherKeyId,
    long totalSize,
    int fileCount) {
  public ModelSummary {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(license, "license");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(publisherKeyId, "publisherKeyId");
  }

  /** {@code name@version}. */
  public String id() {
    return name + "@" + version;
  }
}
