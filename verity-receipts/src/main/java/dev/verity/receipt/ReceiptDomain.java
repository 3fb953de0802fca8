package dev.verity.receipt;

import dev.verity.core.Bytes;
import dev.verity.receipt.eth.Eip712;
import dev.verity.receipt.eth.EthAddress;
import java.math.BigInteger;
import java.util.Objects;

/**
 * The EIP-712 domain receipts are signed under: name "Verity", version "1", a chain id and the
 * settlement contract that will verify them (the zero address until settlement is deployed).
 */
public record ReceiptDomain(long chainId, EthAddress verifyingContract) {
  public static final String NAME = "Verity";
  public static final String VERSION = "1";

  /** Local devnet (Anvil's default chain id), no settlement contract yet. */
  public static final ReceiptDomain DEVNET = new ReceiptDomain(31337, EthAddress.ZERO);

  public ReceiptDomain {
    if (chainId <= 0) {
      throw new IllegalArgumentException("chain id must be positive, got " + chainId);
    }
    Objects.requireNonNull(verifyingContract, "verifyingContract");
  }

  // Nodes sign under one domain; remembering its separator saves five Keccak calls per receipt.
  private static final java.util.Map<ReceiptDomain, Bytes> SEPARATORS =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** hashStruct(EIP712Domain{name, version, chainId, verifyingContract}). */
  public Bytes separator() {
    if (SEPARATORS.size() > 64) {
      SEPARATORS.clear();
    }
    return SEPARATORS.computeIfAbsent(
        this,
        d ->
            Eip712.domainSeparator(
                NAME, VERSION, BigInteger.valueOf(d.chainId), d.verifyingContract));
  }
}
