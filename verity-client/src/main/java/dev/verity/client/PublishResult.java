package dev.verity.client;

import dev.verity.core.Digest;
import java.util.Objects;

/**
 * The node accepted a manifest: its digest, name and version, and whether it is new ({@code false}
 * when the identical manifest was already published).
 */
public record PublishResult(Digest digest, String name, String version, boolean created) {
  public PublishResult {
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(version, "version");
  }
}
