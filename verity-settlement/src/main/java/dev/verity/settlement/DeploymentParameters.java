package dev.verity.settlement;

import java.math.BigInteger;
import java.util.Objects;

/**
 * Economic constants fixed at deployment (constructor arguments).
 *
 * @param minStakeWei least active stake a node needs (NodeRegistry.minStake)
 * @param unbondingDelaySeconds wait between requestUnbond and withdraw
 * @param slashRewardBps share of a slashed amount paid to the reporter, in 1/10000
 * @param escrowWithdrawDelaySeconds wait between Escrow.requestWithdrawal and withdraw
 */
public record DeploymentParameters(
    BigInteger minStakeWei,
    long unbondingDelaySeconds,
    int slashRewardBps,
    long escrowWithdrawDelaySeconds) {

  /** Devnet defaults: 1 ETH minimum stake, 1 day unbonding, half to the reporter, 1 hour. */
  public static final DeploymentParameters DEVNET =
      new DeploymentParameters(BigInteger.TEN.pow(18), 86_400, 5_000, 3_600);

  public DeploymentParameters {
    Objects.requireNonNull(minStakeWei, "minStakeWei");
    if (minStakeWei.signum() <= 0) {
      throw new IllegalArgumentException("minimum stake must be positive");
    }
    if (unbondingDelaySeconds < 0 || escrowWithdrawDelaySeconds < 0) {
      throw new IllegalArgumentException("delays must not be negative");
    }
    if (slashRewardBps < 0 || slashRewardBps > 10_000) {
      throw new IllegalArgumentException(
          "slash reward must be 0..10000 basis points, got " + slashRewardBps);
    }
  }
}
