package dev.verity.settlement;

import dev.verity.core.Bytes;
import dev.verity.receipt.eth.EthAddress;
import dev.verity.receipt.eth.EthSignature;
import java.math.BigInteger;
import java.time.Instant;
import java.util.Objects;

/**
 * A client's signed EIP-712 {@code Payment(address client,address node,bytes32 receiptDigest,
 * uint256 amount,uint64 expiry)} in the Escrow domain: pay {@code amountWei} from the client's
 * escrow balance to the operator of {@code node} for the receipt whose EIP-712 digest is {@code
 * receiptDigest}, until {@code expiry}.
 */
public record PaymentAuthorization(
    EthAddress client,
    EthAddress node,
    Bytes receiptDigest,
    BigInteger amountWei,
    Instant expiry,
    EthSignature signature) {
  public PaymentAuthorization {
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(receiptDigest, "receiptDigest");
    if (receiptDigest.length() != 32) {
      throw new IllegalArgumentException("receiptDigest must be 32 bytes");
    }
    Objects.requireNonNull(amountWei, "amountWei");
    if (amountWei.signum() <= 0) {
      throw new IllegalArgumentException("payment amount must be positive");
    }
    Objects.requireNonNull(expiry, "expiry");
    if (expiry.getEpochSecond() < 0) {
      throw new IllegalArgumentException("expiry must be after 1970");
    }
    Objects.requireNonNull(signature, "signature");
  }
}
