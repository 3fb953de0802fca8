package dev.verity.client.routing;

import dev.verity.receipt.eth.EthAddress;
import java.math.BigInteger;
import java.net.URI;
import java.util.Objects;

/**
 * A node a request may go to: its receipt address, its operator, where it listens and its stake.
 */
public record Candidate(EthAddress node, EthAddress operator, URI endpoint, BigInteger stakeWei) {
  public Candidate {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(operator, "operator");
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(stakeWei, "stakeWei");
    if (stakeWei.signum() < 0) {
      throw new IllegalArgumentException("stake must not be negative");
    }
  }
}
