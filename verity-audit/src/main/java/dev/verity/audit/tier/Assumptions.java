package dev.verity.audit.tier;

/**
 * What the probability bounds assume about the network.
 *
 * @param dishonestFraction f: an upper bound on the fraction of (per-operator capped) stake weight
 *     held by operators who would collude with a cheating provider, in [0, 1)
 * @param maxReplicas the largest k a replicate tier may use (2..64, receipts allow at most 64)
 */
public record Assumptions(double dishonestFraction, int maxReplicas) {
  /** No dishonest stake assumed beyond the provider; replicas up to 8. */
  public static final Assumptions HONEST_MAJORITY_THIRD = new Assumptions(1.0 / 3.0, 8);

  public Assumptions {
    if (!(dishonestFraction >= 0.0 && dishonestFraction < 1.0)) {
      throw new IllegalArgumentException(
          "dishonest stake fraction must be in [0, 1), got " + dishonestFraction);
    }
    if (maxReplicas < 2 || maxReplicas > 64) {
      throw new IllegalArgumentException("maxReplicas must be 2..64, got " + maxReplicas);
    }
  }
}
