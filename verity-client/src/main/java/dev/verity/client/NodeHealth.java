package dev.verity.client;

import java.util.Objects;

/** What {@code GET /v1/health} reports: status, node version, and the largest blob it accepts. */
public record NodeHealth(String status, String version, long maxUploadBytes) {
  public NodeHealth {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(version, "version");
  }
}
