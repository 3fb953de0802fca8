package dev.verity.audit.tier;

import dev.verity.receipt.VerificationPolicy;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Resolves a value-at-risk request: the cheapest tier whose P(undetected) × V ≤ budget
 * (docs/TIERS.md).
 */
public final class TierSelector {
  /** Sample probabilities are rounded up to this many decimals (short, canonical policy text). */
  public static final int SAMPLE_DECIMALS = 6;

  private TierSelector() {}

  /** Resolves {@code var:V:B}; other policies map to their own tier. */
  public static AuditDecision decide(VerificationPolicy policy, Assumptions a) {
    if (policy instanceof VerificationPolicy.ValueAtRisk v) {
      return cheapest(v.value(), v.budget(), a);
    }
    Tier t = Tier.of(policy);
    return new AuditDecision(t, t.cost(), t.undetectedProbability(a), 0.0);
  }

  /**
   * The cheapest tier with P(undetected) × value ≤ budget; ties go to the lower probability.
   *
   * @throws NoTierWithinBudgetException if even the best tier allowed by {@code a} exceeds it
   */
  public static AuditDecision cheapest(BigDecimal value, BigDecimal budget, Assumptions a) {
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(budget, "budget");
    Objects.requireNonNull(a, "assumptions");
    if (value.signum() <= 0) {
      throw new IllegalArgumentException("value at risk must be positive");
    }
    if (budget.signum() < 0) {
      throw new IllegalArgumentException("budget must not be negative");
    }
    double v = value.doubleValue();
    double b = budget.doubleValue();
    List<Tier> candidates = new ArrayList<>();
    candidates.add(new Tier.None());
    // Smallest p with (1 − p(1 − f)) V ≤ B, i.e. p ≥ (1 − B/V) / (1 − f), rounded up.
    double pMin = (1.0 - b / v) / (1.0 - a.dishonestFraction());
    if (pMin <= 1.0) {
      BigDecimal p =
          BigDecimal.valueOf(Math.max(pMin, 0.0)).setScale(SAMPLE_DECIMALS, RoundingMode.CEILING);
      if (p.signum() == 0) {
        p = BigDecimal.ONE.movePointLeft(SAMPLE_DECIMALS);
      }
      candidates.add(new Tier.Sample(p.min(BigDecimal.ONE)));
    }
    for (int k = 2; k <= a.maxReplicas(); k++) {
      candidates.add(new Tier.Replicate(k));
    }
    return candidates.stream()
        .filter(t -> within(t.undetectedProbability(a), v, b))
        .map(t -> decision(t, a, v))
        .min(
            Comparator.comparingDouble(AuditDecision::cost)
                .thenComparingDouble(AuditDecision::undetectedProbability))
        .orElseThrow(
            () ->
                new NoTierWithinBudgetException(
                    "no tier keeps P(undetected) x V within the budget "
                        + budget.toPlainString()
                        + " for V = "
                        + value.toPlainString()
                        + ": the best, replicate:"
                        + a.maxReplicas()
                        + " with dishonest stake fraction "
                        + a.dishonestFraction()
                        + ", leaves "
                        + new Tier.Replicate(a.maxReplicas()).undetectedProbability(a) * v));
  }

  // A relative slack of 1e-12 absorbs rounding in P × V; the stated probability is exact.
  private static boolean within(double p, double v, double b) {
    return p * v <= b * (1.0 + 1e-12);
  }

  private static AuditDecision decision(Tier t, Assumptions a, double v) {
    double p = t.undetectedProbability(a);
    return new AuditDecision(t, t.cost(), p, p * v);
  }
}
