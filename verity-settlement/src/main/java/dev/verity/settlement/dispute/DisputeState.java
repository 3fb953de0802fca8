package dev.verity.settlement.dispute;

import dev.verity.core.Bytes;
import dev.verity.receipt.eth.EthAddress;
import java.math.BigInteger;
import java.time.Instant;
import java.util.Objects;

/**
 * One dispute as DisputeManager.getDispute returns it. While bisecting, {@code [start, start +
 * size)} is the subtree in play and the hashes are the parties' hashes of it; once pinned, {@code
 * start} is the disputed leaf (or {@code leafCount} for the output step) and the hashes are the two
 * leaf hashes (output digests).
 *
 * @param outcome 0 while open; 1 provider correct, 2 challenger correct, 3 both wrong
 */
public record DisputeState(
    Bytes id,
    EthAddress node,
    EthAddress providerOperator,
    EthAddress challenger,
    Bytes receiptDigest,
    BigInteger bondWei,
    long leafCount,
    long start,
    long size,
    int round,
    DisputePhase phase,
    Instant deadline,
    long drawBlock,
    Bytes providerHash,
    Bytes challengerHash,
    int outcome) {
  public DisputeState {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(phase, "phase");
  }
}
