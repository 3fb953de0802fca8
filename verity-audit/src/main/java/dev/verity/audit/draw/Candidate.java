package dev.verity.audit.draw;

import dev.verity.receipt.eth.EthAddress;
import java.math.BigInteger;
import java.util.Objects;

/**
 * A staked node that may be drawn as auditor, replica or referee.
 *
 * @param node the node's receipt-key address (it signs verdicts and receipts)
 * @param operator the account that registered it and holds its stake
 * @param stakeWei its active stake
 */
public record Candidate(EthAddress node, EthAddress operator, BigInteger stakeWei) {
  public Candidate {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(operator, "operator");
    Objects.requireNonNull(stakeWei, "stakeWei");
    if (stakeWei.signum() < 0) {
      throw new IllegalArgumentException("stake must not be negative");
    }
  }
}
