package dev.verity.node.receipt;

import dev.verity.log.InclusionProof;
import dev.verity.log.bundle.BundleJson;
import dev.verity.log.bundle.ReceiptBundle;
import dev.verity.receipt.SignedReceipt;
import java.util.Objects;

/**
 * A receipt the node signed and made durable in its log: the signed receipt, its inclusion proof
 * (log index and tree size) and the signed checkpoint note of that size, possibly cosigned.
 */
public record IssuedReceipt(SignedReceipt receipt, InclusionProof inclusion, String checkpoint) {
  public IssuedReceipt {
    Objects.requireNonNull(receipt, "receipt");
    Objects.requireNonNull(inclusion, "inclusion");
    Objects.requireNonNull(checkpoint, "checkpoint");
  }

  static IssuedReceipt of(ReceiptBundle b) {
    return new IssuedReceipt(b.receipt(), b.inclusion(), b.checkpoint());
  }

  public long logIndex() {
    return inclusion.index();
  }

  public String requestId() {
    return receipt.receipt().requestId();
  }

  /** The {@code verity-receipt-bundle/v1} value (receipt, proof, checkpoint). */
  public ReceiptBundle bundle() {
    return new ReceiptBundle(receipt, inclusion, checkpoint);
  }

  /** The bundle as {@code verity-receipt-bundle/v1} JSON text. */
  public String bundleJson() {
    return BundleJson.toJson(bundle());
  }
}
