package dev.verity.engine.ort;

/** A result differs from the reference by more than the published tolerance. */
public final class ToleranceExceededException extends Exception {
  private final long elementIndex;

  public ToleranceExceededException(String message, long elementIndex) {
    super(message);
    this.elementIndex = elementIndex;
  }

  /** Flat row-major index of the first offending element, or -1 for a type or shape mismatch. */
  public long elementIndex() {
    return elementIndex;
  }
}
