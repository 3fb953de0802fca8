package dev.verity.hub.store;

import dev.verity.core.VerityException;

/** No manifest with this digest, or no model with this name and version, is published. */
public class ManifestNotFoundException extends VerityException {
  public ManifestNotFoundException(String message) {
    super(message);
  }
}
