package dev.verity.hub.store;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits of a store: the largest blob accepted, the largest manifest envelope accepted, and how
 * long an idle partial upload is kept before {@link BlobStore#cleanupStaleUploads} removes it.
 */
public record StoreLimits(long maxBlobBytes, long maxManifestBytes, Duration staleUploadAge) {
  public static final long DEFAULT_MAX_BLOB = 16L << 30;
  public static final long DEFAULT_MAX_MANIFEST = 4L << 20;

  public StoreLimits {
    Objects.requireNonNull(staleUploadAge, "staleUploadAge");
    if (maxBlobBytes < 0 || maxManifestBytes < 1) {
      throw new IllegalArgumentException("limits must be positive");
    }
  }

  /** 16 GiB blobs, 4 MiB manifests, partial uploads kept for 24 hours. */
  public static StoreLimits defaults() {
    return new StoreLimits(DEFAULT_MAX_BLOB, DEFAULT_MAX_MANIFEST, Duration.ofHours(24));
  }

  public StoreLimits withMaxBlobBytes(long v) {
    return new StoreLimits(v, maxManifestBytes, staleUploadAge);
  }

  public StoreLimits withMaxManifestBytes(long v) {
    return new StoreLimits(maxBlobBytes, v, staleUploadAge);
  }

  public StoreLimits withStaleUploadAge(Duration v) {
    return new StoreLimits(maxBlobBytes, maxManifestBytes, v);
  }
}
