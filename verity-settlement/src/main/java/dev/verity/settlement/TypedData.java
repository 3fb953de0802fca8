package dev.verity.settlement;

import dev.verity.core.Bytes;
import dev.verity.receipt.ReceiptDomain;
import dev.verity.receipt.ReceiptKey;
import dev.verity.receipt.eth.Eip712;
import dev.verity.receipt.eth.EthAddress;
import dev.verity.receipt.eth.EthSignature;
import java.math.BigInteger;
import java.time.Instant;

/**
 * The EIP-712 structs the settlement contracts verify besides receipts (exact bytes in README.md).
 */
public final class TypedData {
  /** Signed by a node's receipt key so that only its operator can register it. */
  public static final String NODE_KEY_TYPE = "NodeKey(address operator,address node)";

  public static final Bytes NODE_KEY_TYPEHASH = Eip712.typeHash(NODE_KEY_TYPE);

  /** Signed by a client to pay for one receipt out of its escrow balance. */
  public static final String PAYMENT_TYPE =
      "Payment(address client,address node,bytes32 receiptDigest,uint256 amount,uint64 expiry)";

  public static final Bytes PAYMENT_TYPEHASH = Eip712.typeHash(PAYMENT_TYPE);

  private TypedData() {}

  /** Digest of NodeKey{operator, node} in the receipt domain (verifyingContract NodeRegistry). */
  public static Bytes nodeKeyDigest(
      ReceiptDomain receiptDomain, EthAddress operator, EthAddress node) {
    Bytes structHash =
        Eip712.hashStruct(NODE_KEY_TYPEHASH, Eip712.address(operator), Eip712.address(node));
    return Eip712.digest(receiptDomain.separator(), structHash);
  }

  /** The receipt key's proof that {@code operator} may register it. */
  public static EthSignature signNodeKey(
      ReceiptKey nodeKey, ReceiptDomain receiptDomain, EthAddress operator) {
    return nodeKey.sign(nodeKeyDigest(receiptDomain, operator, nodeKey.address()));
  }

  /** Digest of Payment{...} in the escrow domain (verifyingContract Escrow). */
  public static Bytes paymentDigest(
      ReceiptDomain escrowDomain,
      EthAddress client,
      EthAddress node,
      Bytes receiptDigest,
      BigInteger amountWei,
      Instant expiry) {
    Bytes structHash =
        Eip712.hashStruct(
            PAYMENT_TYPEHASH,
            Eip712.address(client),
            Eip712.address(node),
            Eip712.bytes32(receiptDigest),
            Eip712.uint(amountWei),
            Eip712.uint(expiry.getEpochSecond()));
    return Eip712.digest(escrowDomain.separator(), structHash);
  }
}
