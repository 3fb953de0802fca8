package dev.verity.audit.tier;

import dev.verity.receipt.VerificationPolicy;
import java.util.Objects;

/**
 * The tier chosen for a request and what it buys. {@link VerificationPolicy} has no probability
 * field, so the stated probability travels here (and in the node's response), next to the tier's
 * policy text that the receipt signs.
 *
 * @param tier the chosen tier
 * @param cost expected work in units of one inference
 * @param undetectedProbability the stated upper bound on P(undetected fraud)
 * @param expectedLoss {@code undetectedProbability × V}
 */
public record AuditDecision(
    Tier tier, double cost, double undetectedProbability, double expectedLoss) {
  public AuditDecision {
    Objects.requireNonNull(tier, "tier");
    if (!(cost >= 1.0)) {
      throw new IllegalArgumentException("cost must be at least one inference, got " + cost);
    }
    if (!(undetectedProbability >= 0.0 && undetectedProbability <= 1.0)) {
      throw new IllegalArgumentException(
          "probability must be in [0, 1], got " + undetectedProbability);
    }
    if (!(expectedLoss >= 0.0)) {
      throw new IllegalArgumentException("expected loss must not be negative");
    }
  }

  public VerificationPolicy policy() {
    return tier.policy();
  }
}
