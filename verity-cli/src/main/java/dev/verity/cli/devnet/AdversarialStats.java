package dev.verity.cli.devnet;

import dev.verity.audit.draw.Candidate;
import dev.verity.audit.draw.StakeDraw;
import dev.verity.receipt.eth.EthAddress;
import java.math.BigInteger;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The arithmetic of the adversarial checks: a coalition's share of the capped draw weight, and
 * binomial tails for "is this detected count plausible at the stated probability".
 */
public final class AdversarialStats {
  /** An observation in a tail below this is implausible at the stated probability. */
  public static final double TAIL = 1e-4;

  private AdversarialStats() {}

  /**
   * The share of the capped, stake-weighted draw weight (per-operator cap {@code capBps} of the
   * total, at least 1 wei each, as {@code AuditDraw} weighs) held by the {@code coalition}
   * operators among {@code eligible} candidates.
   */
  public static double cappedShare(
      List<Candidate> eligible, Collection<EthAddress> coalition, int capBps) {
    BigInteger total =
        eligible.stream().map(Candidate::stakeWei).reduce(BigInteger.ZERO, BigInteger::add);
    BigInteger cap =
        total.multiply(BigInteger.valueOf(capBps)).divide(BigInteger.valueOf(StakeDraw.BPS));
    Map<EthAddress, BigInteger> w = new LinkedHashMap<>();
    for (Candidate c : eligible) {
      w.merge(c.operator(), c.stakeWei(), BigInteger::add);
    }
    BigInteger sum = BigInteger.ZERO;
    BigInteger bad = BigInteger.ZERO;
    for (Map.Entry<EthAddress, BigInteger> e : w.entrySet()) {
      BigInteger v = e.getValue().min(cap).max(BigInteger.ONE);
      sum = sum.add(v);
      if (coalition.contains(e.getKey())) {
        bad = bad.add(v);
      }
    }
    return sum.signum() == 0 ? 0 : bad.doubleValue() / sum.doubleValue();
  }

  /** P(X ≤ x) for X ~ Binomial(n, p). */
  public static double lowerTail(int x, int n, double p) {
    double s = 0;
    for (int k = 0; k <= Math.min(x, n); k++) {
      s += pmf(n, k, p);
    }
    return Math.min(1, s);
  }

  /** P(X ≥ x) for X ~ Binomial(n, p). */
  public static double upperTail(int x, int n, double p) {
    double s = 0;
    for (int k = Math.max(0, x); k <= n; k++) {
      s += pmf(n, k, p);
    }
    return Math.min(1, s);
  }

  /** The smaller tail of x: below {@link #TAIL} means x is implausible at p. */
  public static double smallerTail(int x, int n, double p) {
    return Math.min(lowerTail(x, n, p), upperTail(x, n, p));
  }

  private static double pmf(int n, int k, double p) {
    double c = 1;
    for (int i = 1; i <= k; i++) {
      c = c * (n - k + i) / i;
    }
    return c * Math.pow(p, k) * Math.pow(1 - p, n - k);
  }
}
