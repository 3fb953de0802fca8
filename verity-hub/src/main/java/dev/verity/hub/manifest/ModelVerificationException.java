package dev.verity.hub.manifest;

import dev.verity.core.VerityException;

/**
 * Model files do not match their signed manifest: a file is missing, unexpected, of the wrong size
 * or has the wrong digest. The message names the first bad file and expected versus actual.
 */
public class ModelVerificationException extends VerityException {
  private final String path;

  public ModelVerificationException(String path, String message) {
    super(message);
    this.path = path;
  }

  public ModelVerificationException(String path, String message, Throwable cause) {
    super(message, cause);
    this.path = path;
  }

  /** The manifest path of the offending file. */
  public String path() {
    return path;
  }
}
