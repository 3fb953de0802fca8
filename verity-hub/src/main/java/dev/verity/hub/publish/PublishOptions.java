package dev.verity.hub.publish;

import dev.verity.core.Digest;
import dev.verity.hub.manifest.ModelFormat;
import java.time.Instant;
import java.util.Objects;

/**
 * Optional manifest fields for {@link ModelPublisher}. Strings are {@code ""} when absent; {@code
 * parent}, {@code format} and {@code createdAt} are {@code null} when absent (format is then
 * detected from the files, createdAt is the current time). Build with {@link #none()} and the
 * {@code with...} methods.
 */
public record PublishOptions(
    String license,
    String description,
    String source,
    Digest parent,
    ModelFormat format,
    Instant createdAt,
    ProgressListener progress) {

  public PublishOptions {
    Objects.requireNonNull(license, "license");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(progress, "progress");
  }

  public static PublishOptions none() {
    return new PublishOptions("", "", "", null, null, null, ProgressListener.NONE);
  }

  public PublishOptions withLicense(String v) {
    return new PublishOptions(v, description, source, parent, format, createdAt, progress);
  }

  public PublishOptions withDescription(String v) {
    return new PublishOptions(license, v, source, parent, format, createdAt, progress);
  }

  public PublishOptions withSource(String v) {
    return new PublishOptions(license, description, v, parent, format, createdAt, progress);
  }

  public PublishOptions withParent(Digest v) {
    return new PublishOptions(license, description, source, v, format, createdAt, progress);
  }

  public PublishOptions withFormat(ModelFormat v) {
    return new PublishOptions(license, description, source, parent, v, createdAt, progress);
  }

  public PublishOptions withCreatedAt(Instant v) {
    return new PublishOptions(license, description, source, parent, format, v, progress);
  }

  public PublishOptions withProgress(ProgressListener v) {
    return new PublishOptions(license, description, source, parent, format, createdAt, v);
  }
}
