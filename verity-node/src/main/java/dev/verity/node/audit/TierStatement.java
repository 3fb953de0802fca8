package dev.verity.node.audit;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.verity.audit.tier.Assumptions;
import dev.verity.audit.tier.AuditDecision;
import dev.verity.audit.tier.NoTierWithinBudgetException;
import dev.verity.audit.tier.TierSelector;
import dev.verity.node.http.Problem;
import dev.verity.node.http.ProblemException;
import dev.verity.receipt.VerificationPolicy;

/**
 * What a request's verification tier buys, as the node states it next to the receipt: a
 * value-at-risk request is resolved to the cheapest concrete tier (which the receipt signs), and
 * the response carries the stated detection probability under the network's assumption.
 */
public final class TierStatement {
  /** At most a third of (capped) stake colludes with a cheating provider. */
  public static final Assumptions ASSUMPTIONS = Assumptions.HONEST_MAJORITY_THIRD;

  private TierStatement() {}

  /** The decision for {@code policy}; 422 when no tier fits a value-at-risk budget. */
  public static AuditDecision decide(VerificationPolicy policy) {
    try {
      return TierSelector.decide(policy, ASSUMPTIONS);
    } catch (NoTierWithinBudgetException e) {
      throw new ProblemException(
          Problem.of(422, "no-tier-within-budget", "No tier within budget", e.getMessage()));
    }
  }

  /** The response's {@code verification} object. */
  public static ObjectNode json(VerificationPolicy requested, AuditDecision d) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("requested", requested.text());
    o.put("policy", d.policy().text());
    o.put("cost", d.cost());
    o.put("detectionProbability", 1.0 - d.undetectedProbability());
    o.put("undetectedProbability", d.undetectedProbability());
    o.put("assumedDishonestStake", ASSUMPTIONS.dishonestFraction());
    return o;
  }
}
