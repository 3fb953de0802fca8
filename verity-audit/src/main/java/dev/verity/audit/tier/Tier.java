package dev.verity.audit.tier;

import dev.verity.receipt.VerificationPolicy;
import java.math.BigDecimal;
import java.util.Objects;

/**
 * A verification tier a request can buy. Formulas (docs/TIERS.md): cost in units of one inference,
 * and an upper bound on P(undetected fraud) for a request whose provider cheats.
 */
public sealed interface Tier {
  /** Expected work in units of one inference, the served inference included. */
  double cost();

  /** Upper bound on the probability a cheated request goes undetected, under {@code a}. */
  double undetectedProbability(Assumptions a);

  /** The receipt policy that names this tier. */
  VerificationPolicy policy();

  /** Signed receipt, logged and anchored; nobody re-executes. */
  record None() implements Tier {
    @Override
    public double cost() {
      return 1.0;
    }

    @Override
    public double undetectedProbability(Assumptions a) {
      return 1.0;
    }

    @Override
    public VerificationPolicy policy() {
      return VerificationPolicy.NONE;
    }
  }

  /**
   * With probability {@code p}, drawn after the receipt's checkpoint is anchored, an auditor of
   * another operator re-executes. The auditor is honest with probability at least 1 − f, so
   * P(undetected) ≤ 1 − p(1 − f), which is 1 − p when f = 0.
   */
  record Sample(BigDecimal p) implements Tier {
    public Sample {
      Objects.requireNonNull(p, "p");
      if (p.signum() <= 0 || p.compareTo(BigDecimal.ONE) > 0) {
        throw new IllegalArgumentException(
            "sample probability must be in (0, 1], got " + p.toPlainString());
      }
      p = p.stripTrailingZeros();
      if (p.scale() < 0) {
        p = p.setScale(0);
      }
    }

    @Override
    public double cost() {
      return 1.0 + p.doubleValue();
    }

    @Override
    public double undetectedProbability(Assumptions a) {
      return 1.0 - p.doubleValue() * (1.0 - a.dishonestFraction());
    }

    @Override
    public VerificationPolicy policy() {
      return new VerificationPolicy.Sample(p);
    }
  }

  /**
   * k replicas of k different operators, all drawn stake-weighted with a per-operator cap, run the
   * request and must agree. A wrong output passes only if all k are dishonest: P ≤ f^k.
   */
  record Replicate(int k) implements Tier {
    public Replicate {
      if (k < 2 || k > 64) {
        throw new IllegalArgumentException("replicate needs 2 to 64 nodes, got " + k);
      }
    }

    @Override
    public double cost() {
      return k;
    }

    @Override
    public double undetectedProbability(Assumptions a) {
      return Math.pow(a.dishonestFraction(), k);
    }

    @Override
    public VerificationPolicy policy() {
      return new VerificationPolicy.Replicate(k);
    }
  }

  /** The tier a concrete receipt policy names; value-at-risk must be resolved first. */
  static Tier of(VerificationPolicy policy) {
    return switch (policy) {
      case VerificationPolicy.None n -> new None();
      case VerificationPolicy.Sample s -> new Sample(s.probability());
      case VerificationPolicy.Replicate r -> new Replicate(r.nodes());
      case VerificationPolicy.ValueAtRisk v ->
          throw new IllegalArgumentException(
              "policy " + v.text() + " is not a tier; resolve it with TierSelector.cheapest");
    };
  }
}
