package dev.verity.client.routing;

import dev.verity.receipt.eth.EthAddress;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Stake-weighted choice with a per-operator cap (docs/ROUTING.md has the formula). Each operator's
 * share is its nodes' total stake over all stake, except that no operator's share exceeds {@code
 * cap}: the excess of a capped operator is handed to the uncapped ones in proportion to their
 * stake, repeatedly, until no share is above the cap ("water-filling"). If the operators are too
 * few for the cap ({@code operators × cap < 1}), every operator gets an equal share, the closest to
 * the cap possible. Within an operator, its share is split among its nodes by stake. With a seeded
 * random generator the choice is deterministic.
 */
public final class StakeWeightedSelector {
  private static final MathContext MC = MathContext.DECIMAL64;

  private final double cap;

  /**
   * @param cap the largest share of requests one operator may get, in (0, 1]
   */
  public StakeWeightedSelector(double cap) {
    if (!(cap > 0 && cap <= 1)) {
      throw new IllegalArgumentException("operator cap must be in (0, 1], got " + cap);
    }
    this.cap = cap;
  }

  public double cap() {
    return cap;
  }

  /** Each operator's share of requests, in first-seen order; the shares sum to 1. */
  public Map<EthAddress, Double> operatorShares(List<Candidate> candidates) {
    Map<EthAddress, BigInteger> stake = new LinkedHashMap<>();
    for (Candidate c : candidates) {
      stake.merge(c.operator(), c.stakeWei(), BigInteger::add);
    }
    Map<EthAddress, Double> share = new LinkedHashMap<>();
    int n = stake.size();
    if (n == 0) {
      return share;
    }
    BigInteger total = stake.values().stream().reduce(BigInteger.ZERO, BigInteger::add);
    if (n * cap <= 1.0 || total.signum() == 0) {
      // Too few operators to honour the cap (or no stake at all): the most even split.
      stake.keySet().forEach(o -> share.put(o, 1.0 / n));
      return share;
    }
    Set<EthAddress> capped = new HashSet<>();
    double remaining = 1.0;
    while (true) {
      BigInteger uncappedStake = BigInteger.ZERO;
      for (var e : stake.entrySet()) {
        if (!capped.contains(e.getKey())) {
          uncappedStake = uncappedStake.add(e.getValue());
        }
      }
      boolean changed = false;
      for (var e : stake.entrySet()) {
        if (capped.contains(e.getKey())) {
          continue;
        }
        double s =
            uncappedStake.signum() == 0
                ? 0
                : remaining
                    * new BigDecimal(e.getValue())
                        .divide(new BigDecimal(uncappedStake), MC)
                        .doubleValue();
        share.put(e.getKey(), s);
      }
      for (var e : stake.entrySet()) {
        if (!capped.contains(e.getKey()) && share.get(e.getKey()) > cap) {
          capped.add(e.getKey());
          share.put(e.getKey(), cap);
          remaining -= cap;
          changed = true;
        }
      }
      if (!changed) {
        return share;
      }
    }
  }

  /** Each candidate's probability of being chosen first, in the candidates' order. */
  public double[] probabilities(List<Candidate> candidates) {
    Map<EthAddress, Double> share = operatorShares(candidates);
    Map<EthAddress, BigInteger> opStake = new LinkedHashMap<>();
    Map<EthAddress, Integer> opCount = new LinkedHashMap<>();
    for (Candidate c : candidates) {
      opStake.merge(c.operator(), c.stakeWei(), BigInteger::add);
      opCount.merge(c.operator(), 1, Integer::sum);
    }
    double[] p = new double[candidates.size()];
    for (int i = 0; i < p.length; i++) {
      Candidate c = candidates.get(i);
      BigInteger os = opStake.get(c.operator());
      double within =
          os.signum() == 0
              ? 1.0 / opCount.get(c.operator())
              : new BigDecimal(c.stakeWei()).divide(new BigDecimal(os), MC).doubleValue();
      p[i] = share.get(c.operator()) * within;
    }
    return p;
  }

  /** One candidate drawn by {@link #probabilities}. */
  public Candidate choose(List<Candidate> candidates, RandomGenerator random) {
    if (candidates.isEmpty()) {
      throw new IllegalArgumentException("no candidates to choose from");
    }
    double[] p = probabilities(candidates);
    double u = random.nextDouble();
    double acc = 0;
    for (int i = 0; i < p.length; i++) {
      acc += p[i];
      if (u < acc) {
        return candidates.get(i);
      }
    }
    return candidates.getLast();
  }

  /**
   * An order to try candidates in: the first is {@link #choose}n; each next one is drawn the same
   * way from those left, preferring operators not tried yet (a failure may be the operator's).
   */
  public List<Candidate> rank(List<Candidate> candidates, RandomGenerator random) {
    List<Candidate> left = new ArrayList<>(candidates);
    List<Candidate> out = new ArrayList<>();
    Set<EthAddress> triedOperators = new HashSet<>();
    while (!left.isEmpty()) {
      List<Candidate> fresh =
          left.stream().filter(c -> !triedOperators.contains(c.operator())).toList();
      Candidate next = choose(fresh.isEmpty() ? left : fresh, random);
      out.add(next);
      left.remove(next);
      triedOperators.add(next.operator());
    }
    return out;
  }
}
