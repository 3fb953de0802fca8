package dev.verity.receipt;

import java.math.BigDecimal;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The verification a client asked for, in its canonical text form: {@code none}, {@code sample:P}
 * (0 < P <= 1), {@code replicate:K} (2 <= K <= 64) or {@code var:V:BUDGET} (value at risk V > 0,
 * budget >= 0). Decimals are plain, without exponent, sign or trailing zeros, so every policy has
 * exactly one spelling and the signed receipt bytes are unambiguous.
 */
public sealed interface VerificationPolicy {
  int MAX_TEXT = 64;

  /** The canonical text that receipts carry and sign. */
  String text();

  record None() implements VerificationPolicy {
    @Override
    public String text() {
      return "none";
    }
  }

  record Sample(BigDecimal probability) implements VerificationPolicy {
    public Sample {
      Objects.requireNonNull(probability, "probability");
      if (probability.signum() <= 0 || probability.compareTo(BigDecimal.ONE) > 0) {
        throw new IllegalArgumentException(
            "sample probability must be in (0, 1], got " + probability.toPlainString());
      }
      probability = canonical(probability);
    }

    @Override
    public String text() {
      return "sample:" + probability.toPlainString();
    }
  }

  record Replicate(int nodes) implements VerificationPolicy {
    public Replicate {
      if (nodes < 2 || nodes > 64) {
        throw new IllegalArgumentException("replicate needs 2 to 64 nodes, got " + nodes);
      }
    }

    @Override
    public String text() {
      return "replicate:" + nodes;
    }
  }

  record ValueAtRisk(BigDecimal value, BigDecimal budget) implements VerificationPolicy {
    public ValueAtRisk {
      Objects.requireNonNull(value, "value");
      Objects.requireNonNull(budget, "budget");
      if (value.signum() <= 0) {
        throw new IllegalArgumentException("value at risk must be positive");
      }
      if (budget.signum() < 0) {
        throw new IllegalArgumentException("verification budget must not be negative");
      }
      value = canonical(value);
      budget = canonical(budget);
    }

    @Override
    public String text() {
      return "var:" + value.toPlainString() + ":" + budget.toPlainString();
    }
  }

  VerificationPolicy NONE = new None();

  /** Parses the canonical text; the error names what is wrong. */
  static VerificationPolicy parse(String text) {
    Objects.requireNonNull(text, "policy");
    if (text.length() > MAX_TEXT) {
      throw new IllegalArgumentException("policy text is longer than " + MAX_TEXT + " characters");
    }
    if (text.equals("none")) {
      return NONE;
    }
    if (text.startsWith("sample:")) {
      return new Sample(decimal(text.substring(7), "sample probability", text));
    }
    if (text.startsWith("replicate:")) {
      String k = text.substring(10);
      if (!Parsing.INTEGER.matcher(k).matches()) {
        throw new IllegalArgumentException(
            "replicate count must be a decimal integer without leading zeros: " + text);
      }
      return new Replicate(Integer.parseInt(k));
    }
    if (text.startsWith("var:")) {
      String[] parts = text.substring(4).split(":", -1);
      if (parts.length != 2) {
        throw new IllegalArgumentException("value-at-risk policy must be var:V:BUDGET: " + text);
      }
      return new ValueAtRisk(
          decimal(parts[0], "value at risk", text), decimal(parts[1], "budget", text));
    }
    throw new IllegalArgumentException(
        "unknown verification policy '"
            + text
            + "'; expected none, sample:P, replicate:K or var:V:BUDGET");
  }

  private static BigDecimal decimal(String s, String what, String text) {
    if (!Parsing.DECIMAL.matcher(s).matches()) {
      throw new IllegalArgumentException(
          what + " must be a plain decimal without sign, exponent or trailing zeros: " + text);
    }
    return new BigDecimal(s);
  }

  private static BigDecimal canonical(BigDecimal d) {
    BigDecimal c = d.stripTrailingZeros();
    return c.scale() < 0 ? c.setScale(0) : c;
  }

  /** Grammar of the numbers inside policies. */
  final class Parsing {
    static final Pattern INTEGER = Pattern.compile("[1-9][0-9]{0,8}");
    static final Pattern DECIMAL = Pattern.compile("(0|[1-9][0-9]{0,17})(\\.[0-9]{0,17}[1-9])?");

    private Parsing() {}
  }
}
