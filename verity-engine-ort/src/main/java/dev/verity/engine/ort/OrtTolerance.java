package dev.verity.engine.ort;

import dev.verity.engine.DataType;
import dev.verity.engine.Tensor;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * The threshold an audit uses to accept an ORT result ({@link
 * dev.verity.engine.NumericMode#TOLERANCE}) against a re-execution. Every floating-point element
 * must satisfy
 *
 * <pre>
 *   |candidate[i] - reference[i]| <= atol + rtol * |reference[i]| + stol * max_j |reference[j]|
 * </pre>
 *
 * NaN only where the reference has NaN, infinities equal; integer and boolean tensors must be
 * equal. The {@code stol} term scales with the tensor's largest magnitude because float32
 * accumulation error follows the size of the summands, not of the (possibly cancelled) result: a
 * logit near zero in a tensor of logits near 10^4 carries error from the large partial sums. The
 * figures behind {@link #DEFAULT} are in this module's README.
 *
 * @param atol absolute term
 * @param rtol term relative to the element's reference value
 * @param stol term relative to the largest finite reference magnitude in the tensor
 */
public record OrtTolerance(double atol, double rtol, double stol) {
  /** Published default; see README "Audit tolerance" for the measurements it covers. */
  public static final OrtTolerance DEFAULT = new OrtTolerance(1e-5, 1e-4, 1e-5);

  public OrtTolerance {
    for (double t : new double[] {atol, rtol, stol}) {
      if (!(t >= 0) || Double.isInfinite(t)) {
        throw new IllegalArgumentException(
            "tolerances must be finite and non-negative, got atol "
                + atol
                + ", rtol "
                + rtol
                + ", stol "
                + stol);
      }
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
    double scale = 0;
    for (int i = 0; i < n; i++) {
      double v =
          switch (type) {
            case FLOAT32 -> r.getFloat(i * 4);
            case FLOAT64 -> r.getDouble(i * 8);
            default -> 0;
          };
      if (Double.isFinite(v)) {
        scale = Math.max(scale, Math.abs(v));
      }
    }
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
      if (!within(ref, got, scale)) {
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
                + " * |reference| + stol "
                + stol
                + " * "
                + scale
                + " (largest |reference|)",
            i);
      }
    }
  }

  private boolean within(double ref, double got, double scale) {
    if (Double.isNaN(ref) || Double.isNaN(got)) {
      return Double.isNaN(ref) && Double.isNaN(got);
    }
    if (Double.isInfinite(ref) || Double.isInfinite(got)) {
      return ref == got;
    }
    return Math.abs(got - ref) <= atol + rtol * Math.abs(ref) + stol * scale;
  }
}
