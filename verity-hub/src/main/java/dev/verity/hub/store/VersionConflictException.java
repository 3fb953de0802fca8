package dev.verity.hub.store;

import dev.verity.core.Digest;
import dev.verity.core.VerityException;

/** A name and version is already published with a different manifest; versions are immutable. */
public class VersionConflictException extends VerityException {
  private final Digest existing;
  private final Digest rejected;

  public VersionConflictException(String name, String version, Digest existing, Digest rejected) {
    super(
        "model "
            + name
            + " version "
            + version
            + " is already published as manifest "
            + existing
            + "; refusing a different manifest "
            + rejected
            + " (versions are immutable: publish a new version)");
    this.existing = existing;
    this.rejected = rejected;
  }

  public Digest existing() {
    return existing;
  }

  public Digest rejected() {
    return rejected;
  }
}
