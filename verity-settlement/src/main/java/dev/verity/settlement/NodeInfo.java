package dev.verity.settlement;

import dev.verity.core.Digest;
import dev.verity.receipt.eth.EthAddress;
import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A node as NodeRegistry holds it. {@code node} is the address of its receipt key; {@code
 * unbondingReadyAt} is {@link Instant#EPOCH} when nothing is unbonding.
 */
public record NodeInfo(
    EthAddress node,
    EthAddress operator,
    String endpoint,
    BigInteger stakeWei,
    BigInteger unbondingWei,
    Instant unbondingReadyAt,
    Instant registeredAt,
    Instant lastHeartbeat,
    boolean banned,
    List<Digest> models) {
  public NodeInfo {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(operator, "operator");
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(stakeWei, "stakeWei");
    Objects.requireNonNull(unbondingWei, "unbondingWei");
    Objects.requireNonNull(unbondingReadyAt, "unbondingReadyAt");
    Objects.requireNonNull(registeredAt, "registeredAt");
    Objects.requireNonNull(lastHeartbeat, "lastHeartbeat");
    if (stakeWei.signum() < 0 || unbondingWei.signum() < 0) {
      throw new IllegalArgumentException("stake amounts must not be negative");
    }
    models = List.copyOf(models);
  }
}
