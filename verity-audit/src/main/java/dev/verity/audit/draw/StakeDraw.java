package dev.verity.audit.draw;

import dev.verity.core.Bytes;
import dev.verity.receipt.eth.EthAddress;
import dev.verity.receipt.eth.Keccak;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Stake-weighted draw of nodes from distinct operators with a per-operator cap, from a public
 * 32-byte seed. The same algorithm runs in DisputeManager.sol for referees, so both give the same
 * set (docs/DRAW.md):
 *
 * <ol>
 *   <li>Eligible candidates: stake &gt; 0 and operator not excluded; order as given (registry
 *       order).
 *   <li>Operator weight {@code w_o = min(Σ stake of its eligible nodes, cap)}, {@code cap = ⌊total
 *       × capBps / 10000⌋} (total = Σ eligible stake); operators ordered by first appearance.
 *   <li>Draw i = 0, 1, …: {@code r = uint256(keccak256(seed || uint256(i))) mod W} (W = Σ weights
 *       of operators not yet drawn); take the first remaining operator whose running weight sum
 *       exceeds r; then {@code r' = uint256(keccak256(seed || uint256(i) || uint256(1))) mod s_o}
 *       picks its node by running stake.
 * </ol>
 */
public final class StakeDraw {
  public static final int BPS = 10_000;

  private StakeDraw() {}

  /**
   * Draws up to {@code k} nodes of distinct operators (fewer when fewer operators are eligible).
   *
   * @param capBps per-operator weight cap in basis points of total eligible stake (1..10000)
   */
  public static List<Candidate> draw(
      Bytes seed,
      List<Candidate> candidates,
      int k,
      Collection<EthAddress> excludedOperators,
      int capBps) {
    Objects.requireNonNull(seed, "seed");
    if (seed.length() != 32) {
      throw new IllegalArgumentException("seed must be 32 bytes, got " + seed.length());
    }
    if (k < 0) {
      throw new IllegalArgumentException("k must not be negative");
    }
    if (capBps < 1 || capBps > BPS) {
      throw new IllegalArgumentException("capBps must be 1..10000, got " + capBps);
    }
    Set<EthAddress> excluded = Set.copyOf(excludedOperators);
    Map<EthAddress, List<Candidate>> byOperator = new LinkedHashMap<>();
    BigInteger total = BigInteger.ZERO;
    Set<EthAddress> seenNodes = new LinkedHashSet<>();
    for (Candidate c : candidates) {
      if (!seenNodes.add(c.node())) {
        throw new IllegalArgumentException("node " + c.node() + " is listed twice");
      }
      if (c.stakeWei().signum() == 0 || excluded.contains(c.operator())) {
        continue;
      }
      byOperator.computeIfAbsent(c.operator(), o -> new ArrayList<>()).add(c);
      total = total.add(c.stakeWei());
    }
    BigInteger cap = total.multiply(BigInteger.valueOf(capBps)).divide(BigInteger.valueOf(BPS));
    List<EthAddress> ops = new ArrayList<>(byOperator.keySet());
    List<BigInteger> weights = new ArrayList<>();
    for (EthAddress o : ops) {
      BigInteger s = sum(byOperator.get(o));
      weights.add(s.min(cap).max(BigInteger.ONE));
    }
    List<Candidate> out = new ArrayList<>();
    for (int i = 0; i < k && !ops.isEmpty(); i++) {
      BigInteger w = weights.stream().reduce(BigInteger.ZERO, BigInteger::add);
      BigInteger r = word(seed, i, false).mod(w);
      int pick = 0;
      BigInteger run = BigInteger.ZERO;
      for (; pick < ops.size(); pick++) {
        run = run.add(weights.get(pick));
        if (run.compareTo(r) > 0) {
          break;
        }
      }
      List<Candidate> nodes = byOperator.get(ops.get(pick));
      BigInteger r2 = word(seed, i, true).mod(sum(nodes));
      BigInteger run2 = BigInteger.ZERO;
      for (Candidate c : nodes) {
        run2 = run2.add(c.stakeWei());
        if (run2.compareTo(r2) > 0) {
          out.add(c);
          break;
        }
      }
      ops.remove(pick);
      weights.remove(pick);
    }
    return List.copyOf(out);
  }

  /** keccak256(seed || uint256(i)) or keccak256(seed || uint256(i) || uint256(1)). */
  static BigInteger word(Bytes seed, int i, boolean node) {
    byte[] idx = uint256(BigInteger.valueOf(i));
    byte[] h =
        node
            ? Keccak.keccak256(seed.toByteArray(), idx, uint256(BigInteger.ONE))
            : Keccak.keccak256(seed.toByteArray(), idx);
    return new BigInteger(1, h);
  }

  static byte[] uint256(BigInteger v) {
    byte[] out = new byte[32];
    byte[] b = v.toByteArray();
    int n = Math.min(b.length, 32);
    System.arraycopy(b, b.length - n, out, 32 - n, n);
    return out;
  }

  private static BigInteger sum(List<Candidate> cs) {
    BigInteger s = BigInteger.ZERO;
    for (Candidate c : cs) {
      s = s.add(c.stakeWei());
    }
    return s;
  }
}
