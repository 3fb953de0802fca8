package dev.verity.client.tier;

import dev.verity.audit.tier.Assumptions;
import dev.verity.audit.tier.AuditDecision;
import dev.verity.audit.tier.NoTierWithinBudgetException;
import dev.verity.audit.tier.Tier;
import dev.verity.audit.tier.TierSelector;
import dev.verity.receipt.VerificationPolicy;
import java.util.Objects;

/**
 * The verification a request buys, resolved on the client: {@code none}, {@code sample:P}, {@code
 * replicate:K}, or {@code var:V:BUDGET} (value at risk V; the cheapest tier whose P(undetected
 * fraud) × V stays within BUDGET, docs/TIERS.md in verity-audit). The resolved policy is what the
 * node signs into the receipt; the stated probability comes with it.
 *
 * @param requested what the caller asked for
 * @param decision the concrete tier, its cost and P(undetected) under {@code assumptions}
 * @param assumptions what the bound assumes about dishonest stake
 */
public record TierChoice(
    VerificationPolicy requested, AuditDecision decision, Assumptions assumptions) {
  public TierChoice {
    Objects.requireNonNull(requested, "requested");
    Objects.requireNonNull(decision, "decision");
    Objects.requireNonNull(assumptions, "assumptions");
  }

  /**
   * Parses and resolves a tier.
   *
   * @throws IllegalArgumentException naming the problem for bad text
   * @throws NoTierWithinBudgetException when no tier keeps the expected loss within the budget
   */
  public static TierChoice of(String text, Assumptions assumptions) {
    Objects.requireNonNull(text, "tier");
    VerificationPolicy p;
    try {
      p = VerificationPolicy.parse(text.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("bad tier '" + text + "': " + e.getMessage(), e);
    }
    return new TierChoice(p, TierSelector.decide(p, assumptions), assumptions);
  }

  /** With the network's default assumption: at most a third of capped stake colludes. */
  public static TierChoice of(String text) {
    return of(text, Assumptions.HONEST_MAJORITY_THIRD);
  }

  public Tier tier() {
    return decision.tier();
  }

  /** The concrete policy to send (value at risk resolved to a tier). */
  public VerificationPolicy policy() {
    return decision.policy();
  }

  /** The stated lower bound on P(fraud on this request is detected). */
  public double detectionProbability() {
    return 1.0 - decision.undetectedProbability();
  }

  /** Expected work in units of one inference. */
  public double cost() {
    return decision.cost();
  }

  /** One line for people: tier, cost, stated probability. */
  public String describe() {
    return String.format(
        java.util.Locale.ROOT,
        "%s -> %s (cost %.3f inferences, P(detect) >= %.6f assuming dishonest stake <= %.3f)",
        requested.text(),
        policy().text(),
        cost(),
        detectionProbability(),
        assumptions.dishonestFraction());
  }
}
