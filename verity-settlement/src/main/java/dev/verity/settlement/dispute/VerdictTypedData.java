package dev.verity.settlement.dispute;

import dev.verity.core.Bytes;
import dev.verity.receipt.ReceiptDomain;
import dev.verity.receipt.ReceiptKey;
import dev.verity.receipt.eth.Eip712;
import dev.verity.receipt.eth.EthSignature;

/**
 * The referee's signed verdict (docs/DISPUTES.md): EIP-712 in the domain {"Verity", "1", chainId,
 * verifyingContract = DisputeManager}.
 *
 * <pre>
 * typeHash   = keccak256("Verdict(bytes32 disputeId,uint64 leafIndex,bytes32 providerLeaf,bytes32 challengerLeaf,uint8 winner)")
 * structHash = keccak256(typeHash || disputeId || leafIndex || providerLeaf || challengerLeaf || winner)
 * digest     = keccak256(0x19 0x01 || domainSeparator || structHash)
 * </pre>
 */
public final class VerdictTypedData {
  public static final String VERDICT_TYPE =
      "Verdict(bytes32 disputeId,uint64 leafIndex,bytes32 providerLeaf,bytes32 challengerLeaf,uint8 winner)";
  public static final Bytes VERDICT_TYPEHASH = Eip712.typeHash(VERDICT_TYPE);

  private VerdictTypedData() {}

  public static Bytes digest(
      ReceiptDomain disputeDomain,
      Bytes disputeId,
      long leafIndex,
      Bytes providerLeaf,
      Bytes challengerLeaf,
      int winner) {
    if (winner < 1 || winner > 3) {
      throw new IllegalArgumentException("winner must be 1, 2 or 3, got " + winner);
    }
    if (leafIndex < 0) {
      throw new IllegalArgumentException("leaf index must not be negative");
    }
    Bytes structHash =
        Eip712.hashStruct(
            VERDICT_TYPEHASH,
            Eip712.bytes32(disputeId),
            Eip712.uint(leafIndex),
            Eip712.bytes32(providerLeaf),
            Eip712.bytes32(challengerLeaf),
            Eip712.uint(winner));
    return Eip712.digest(disputeDomain.separator(), structHash);
  }

  /** A referee node signs with its receipt key. */
  public static EthSignature sign(
      ReceiptKey referee,
      ReceiptDomain disputeDomain,
      Bytes disputeId,
      long leafIndex,
      Bytes providerLeaf,
      Bytes challengerLeaf,
      int winner) {
    return referee.sign(
        digest(disputeDomain, disputeId, leafIndex, providerLeaf, challengerLeaf, winner));
  }
}
