package dev.verity.engine.ort;

import dev.verity.engine.DataType;
import dev.verity.engine.Tensor;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * The threshold an audit uses to accept an ORT result ({@link
 * dev.verity.engine.NumericMode#TOLERANCE}) against a re-execution: every floating-point element
 * must satisfy {@code |candidate - reference| <= atol + rtol * |reference|}, NaN only where the
 * reference has NaN, infinities equal; integer and boolean tensors must be equal. The figures
 * behind {@link #DEFAULT} are in this module's README.
 */
public record OrtTolerance(double atol, double rtol) {
  /** Published default; see README "Audit tolerance" for the measurements it covers. */
  public static final OrtTolerance DEFAULT = new OrtTolerance(1e-3, 1e-4);

  public OrtTolerance {
    if (!(atol >= 0) || !(rtol >= 0) || Double.isInfinite(atol) || Double.isInfinite(rtol)) {
      throw new IllegalArgumentException(
          "tolerances must be finite and non-negative, got atol " + atol + ", rtol " + rtol);
    }
  }

  /**
   * Throws unless {@code candidate} matches {@code reference} within this tolerance.
   *
   * @throws ToleranceExceededException naming the first offending element and both values
   */
  public void verify(Tensor reference, Tensor candidate) throws ToleranceExceededException {
    Objects.requireNonNull(reference, "reference");
    Objects.requireNonNull(candidate, "candidate");
    if (reference.type() != candidate.type()) {
      throw new ToleranceExceededException(
          "element type " + candidate.type() + " differs from reference " + reference.type(), -1);
    }
    if (!Arrays.equals(reference.shape(), candidate.shape())) {
      throw new ToleranceExceededException(
          "shape "
              + Arrays.toString(candidate.shape())
              + " differs from reference "
              + Arrays.toString(reference.shape()),
          -1);
    }
    ByteBuffer r = reference.buffer();
    ByteBuffer c = candidate.buffer();
    long n = reference.elementCount();
    DataType type = reference.type();
    for (int i = 0; i < n; i++) {
      double ref;
      double got;
      switch (type) {
        case FLOAT32 -> {
          ref = r.getFloat(i * 4);
          got = c.getFloat(i * 4);
        }
        case FLOAT64 -> {
          ref = r.getDouble(i * 8);
          got = c.getDouble(i * 8);
        }
        default -> {
          // Integer, boolean and half types: exact bytes (ORT computes these exactly).
          if (!reference.equals(candidate)) {
            throw new ToleranceExceededException(
                type + " tensors must be equal and are not", r.mismatch(c) / type.byteSize());
          }
          return;
        }
      }
      if (!within(ref, got)) {
        throw new ToleranceExceededException(
            "element "
                + i
                + " is "
                + got
                + ", reference "
                + ref
                + ": |diff| "
                + Math.abs(got - ref)
                + " exceeds atol "
                + atol
                + " + rtol "
                + rtol
                + " * |reference|",
            i);
      }
    }
  }

  private boolean within(double ref, double got) {
    if (Double.isNaN(ref) || Double.isNaN(got)) {
      return Double.isNaN(ref) && Double.isNaN(got);
    }
    if (Double.isInfinite(ref) || Double.isInfinite(got)) {
      return ref == got;
    }
    return Math.abs(got - ref) <= atol + rtol * Math.abs(ref);
  }
}
