package dev.verity.core.key;

import dev.verity.core.VerityException;

/** A private key file can be read or written by users other than its owner. */
public class InsecureKeyFileException extends VerityException {
  public InsecureKeyFileException(String message) {
    super(message);
  }
}
