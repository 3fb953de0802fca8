package dev.verity.settlement.dispute;

import java.math.BigInteger;
import java.util.Objects;

/**
 * DisputeManager's constructor arguments.
 *
 * @param minBondWei least bond a challenger posts
 * @param moveTimeoutSeconds time each party has for a bisection move
 * @param verdictTimeoutSeconds time the referee set has to reach a majority before a redraw
 * @param refereeCount k, the referee set size (1..31; fewer when fewer operators are eligible)
 * @param capBps per-operator weight cap in the referee draw, basis points of eligible stake
 * @param refereeFeeBps share of what the losing side forfeits (loser's bond, slash reward) that the
 *     deciding referees split, basis points (docs/DISPUTES.md, "Referee pay")
 */
public record DisputeParameters(
    BigInteger minBondWei,
    long moveTimeoutSeconds,
    long verdictTimeoutSeconds,
    int refereeCount,
    int capBps,
    int refereeFeeBps) {
  /** The referee fee when none is given: 20 % of what the losing side forfeits. */
  public static final int DEFAULT_REFEREE_FEE_BPS = 2_000;

  /**
   * Devnet: 0.1 ETH bond, 1 hour per move, 1 hour for verdicts, 3 referees, 34 % cap, 20 % referee
   * fee.
   */
  public static final DisputeParameters DEVNET =
      new DisputeParameters(
          BigInteger.TEN.pow(17), 3_600, 3_600, 3, 3_400, DEFAULT_REFEREE_FEE_BPS);

  public DisputeParameters {
    Objects.requireNonNull(minBondWei, "minBondWei");
    if (minBondWei.signum() <= 0) {
      throw new IllegalArgumentException("minimum bond must be positive");
    }
    if (moveTimeoutSeconds <= 0 || verdictTimeoutSeconds <= 0) {
      throw new IllegalArgumentException("timeouts must be positive");
    }
    if (refereeCount < 1 || refereeCount > 31) {
      throw new IllegalArgumentException("referee count must be 1..31, got " + refereeCount);
    }
    if (capBps < 1 || capBps > 10_000) {
      throw new IllegalArgumentException("capBps must be 1..10000, got " + capBps);
    }
    if (refereeFeeBps < 0 || refereeFeeBps > 10_000) {
      throw new IllegalArgumentException("refereeFeeBps must be 0..10000, got " + refereeFeeBps);
    }
  }

  /** Parameters with the {@link #DEFAULT_REFEREE_FEE_BPS default referee fee}. */
  public DisputeParameters(
      BigInteger minBondWei,
      long moveTimeoutSeconds,
      long verdictTimeoutSeconds,
      int refereeCount,
      int capBps) {
    this(
        minBondWei,
        moveTimeoutSeconds,
        verdictTimeoutSeconds,
        refereeCount,
        capBps,
        DEFAULT_REFEREE_FEE_BPS);
  }
}
