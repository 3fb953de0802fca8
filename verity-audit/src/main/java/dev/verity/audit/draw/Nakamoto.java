package dev.verity.audit.draw;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Nakamoto coefficients: the smallest number of operators whose combined share is strictly greater
 * than a threshold (1/3: can stall or veto a referee majority of two thirds; 1/2: controls a simple
 * majority). Shares are of served compute (receipts or inferences per operator) or of audit,
 * replica and referee assignments per operator. Exact integer arithmetic.
 */
public final class Nakamoto {
  private Nakamoto() {}

  /** Coefficients for the two thresholds over one distribution. */
  public record Coefficients(int overOneThird, int overOneHalf, int operators) {}

  /** Over stake: each candidate's stake summed per operator. */
  public static Coefficients ofStake(Collection<Candidate> nodes) {
    Map<dev.verity.receipt.eth.EthAddress, BigInteger> m = new java.util.LinkedHashMap<>();
    for (Candidate c : nodes) {
      m.merge(c.operator(), c.stakeWei(), BigInteger::add);
    }
    return of(m);
  }

  /**
   * Over events: one entry per served request or per audit / replica / referee assignment, naming
   * the operator that got it.
   */
  public static <K> Coefficients ofEvents(Collection<K> operatorPerEvent) {
    Map<K, BigInteger> m = new java.util.LinkedHashMap<>();
    for (K op : operatorPerEvent) {
      m.merge(Objects.requireNonNull(op, "operator"), BigInteger.ONE, BigInteger::add);
    }
    return of(m);
  }

  public static <K> Coefficients of(Map<K, BigInteger> weightByOperator) {
    return new Coefficients(
        coefficient(weightByOperator.values(), 1, 3),
        coefficient(weightByOperator.values(), 1, 2),
        (int) weightByOperator.values().stream().filter(w -> w.signum() > 0).count());
  }

  /**
   * The fewest operators whose weights sum to more than {@code num/den} of the total; 0 when the
   * total is 0.
   */
  public static int coefficient(Collection<BigInteger> weights, int num, int den) {
    if (num <= 0 || den <= 0 || num >= den) {
      throw new IllegalArgumentException("threshold must be a fraction in (0, 1)");
    }
    List<BigInteger> sorted = new ArrayList<>();
    BigInteger total = BigInteger.ZERO;
    for (BigInteger w : weights) {
      Objects.requireNonNull(w, "weight");
      if (w.signum() < 0) {
        throw new IllegalArgumentException("weights must not be negative");
      }
      sorted.add(w);
      total = total.add(w);
    }
    if (total.signum() == 0) {
      return 0;
    }
    sorted.sort((a, b) -> b.compareTo(a));
    BigInteger need = total.multiply(BigInteger.valueOf(num));
    BigInteger run = BigInteger.ZERO;
    int n = 0;
    for (BigInteger w : sorted) {
      run = run.add(w);
      n++;
      // run / total > num / den  <=>  run × den > total × num
      if (run.multiply(BigInteger.valueOf(den)).compareTo(need) > 0) {
        return n;
      }
    }
    throw new AssertionError("the sum of all weights always exceeds a proper fraction");
  }
}
