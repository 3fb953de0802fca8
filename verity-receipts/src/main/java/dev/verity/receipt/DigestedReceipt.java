package dev.verity.receipt;

import dev.verity.core.Bytes;
import java.util.Objects;

/**
 * A receipt with its EIP-712 digest under {@code domain}, computed once. A node computes these on
 * its request threads so that its one batch signer only builds the batch tree and signs. Only
 * {@link #of} creates them, so the digest always belongs to the receipt.
 */
public final class DigestedReceipt {
  private final Receipt receipt;
  private final ReceiptDomain domain;
  private final Bytes digest;

  private DigestedReceipt(Receipt receipt, ReceiptDomain domain) {
    this.receipt = Objects.requireNonNull(receipt, "receipt");
    this.domain = Objects.requireNonNull(domain, "domain");
    this.digest = receipt.signingDigest(domain);
  }

  public static DigestedReceipt of(Receipt receipt, ReceiptDomain domain) {
    return new DigestedReceipt(receipt, domain);
  }

  public Receipt receipt() {
    return receipt;
  }

  public ReceiptDomain domain() {
    return domain;
  }

  /** {@code receipt.signingDigest(domain)}. */
  public Bytes digest() {
    return digest;
  }
}
