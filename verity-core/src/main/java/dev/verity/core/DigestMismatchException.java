package dev.verity.core;

import java.util.Objects;

/** Content did not hash to the digest it was supposed to have. */
public class DigestMismatchException extends VerityException {
  private final Digest expected;
  private final Digest actual;

  public DigestMismatchException(String what, Digest expected, Digest actual) {
    super(what + ": expected " + expected + " but content hashes to " + actual);
    this.expected = Objects.requireNonNull(expected, "expected");
    this.actual = Objects.requireNonNull(actual, "actual");
  }

  public Digest expected() {
    return expected;
  }

  public Digest actual() {
    return actual;
  }
}
