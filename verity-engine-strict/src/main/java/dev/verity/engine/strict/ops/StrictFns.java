package dev.verity.engine.strict.ops;

/**
 * Deterministic scalar functions not provided by {@link StrictMath}, built only from IEEE-754
 * float64 operations in a fixed order (see docs/ARITHMETIC.md).
 */
public final class StrictFns {
  private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;
  private static final double SQRT_PI = 1.7724538509055159;
  private static final int ERF_TERMS = 80;

  private StrictFns() {}

  /**
   * erf(x): for |x| &lt; 4 the Maclaurin series {@code 2/sqrt(pi) * sum_{n=0}^{79} (-1)^n x^(2n+1)
   * / (n! (2n+1))}, terms built by the recurrence {@code t_n = t_{n-1} * (-x^2) / n} and summed in
   * increasing n; for |x| &ge; 4, {@code sign(x) * (1 - erfc)} with the four-term asymptotic series
   * {@code erfc(x) = exp(-x^2)/(x sqrt(pi)) * (1 - 1/(2x^2) + 3/(4x^4) - 15/(8x^6))}. NaN in, NaN
   * out.
   */
  public static double erf(double x) {
    if (Double.isNaN(x)) {
      return x;
    }
    double ax = Math.abs(x);
    if (ax < 4.0) {
      double x2 = x * x;
      double t = x;
      double sum = x;
      for (int n = 1; n < ERF_TERMS; n++) {
        t = t * -x2 / n;
        sum = sum + t / (2 * n + 1);
      }
      return TWO_OVER_SQRT_PI * sum;
    }
    if (Double.isInfinite(ax)) {
      return x > 0 ? 1.0 : -1.0;
    }
    double i2 = 1.0 / (x * x);
    double series = 1.0 - 0.5 * i2 + 0.75 * i2 * i2 - 1.875 * i2 * i2 * i2;
    double erfc = StrictMath.exp(-x * x) / (ax * SQRT_PI) * series;
    return x > 0 ? 1.0 - erfc : erfc - 1.0;
  }

  /** float32 erf: {@link #erf(double)} of the widened input, rounded once. */
  public static float erf(float x) {
    return (float) erf((double) x);
  }

  public static float exp(float x) {
    return (float) StrictMath.exp(x);
  }

  public static float sigmoid(float x) {
    return (float) (1.0 / (1.0 + StrictMath.exp(-(double) x)));
  }

  public static double sigmoid(double x) {
    return 1.0 / (1.0 + StrictMath.exp(-x));
  }

  /** Gelu (opset 20), approximate="none": 0.5 x (1 + erf(x / sqrt 2)) in float64. */
  public static double gelu(double x) {
    return 0.5 * x * (1.0 + erf(x / 1.4142135623730951));
  }

  /** Gelu approximate="tanh": 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) in float64. */
  public static double geluTanh(double x) {
    return 0.5 * x * (1.0 + StrictMath.tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)));
  }
}
