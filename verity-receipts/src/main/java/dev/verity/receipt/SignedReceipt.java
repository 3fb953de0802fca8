package dev.verity.receipt;

import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.log.Rfc9162;
import dev.verity.receipt.eth.EthAddress;
import dev.verity.receipt.eth.EthSignature;
import dev.verity.receipt.eth.InvalidSignatureException;
import dev.verity.receipt.eth.Secp256k1;
import java.util.Objects;

/** A receipt with the domain it was signed under and the node's 65-byte signature. */
public record SignedReceipt(Receipt receipt, ReceiptDomain domain, EthSignature signature) {
  public SignedReceipt {
    Objects.requireNonNull(receipt, "receipt");
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(signature, "signature");
  }

  /** Signs {@code receipt}; the key must be the one whose address the receipt names. */
  public static SignedReceipt sign(Receipt receipt, ReceiptDomain domain, ReceiptKey key) {
    if (!key.address().equals(receipt.node())) {
      throw new IllegalArgumentException(
          "receipt names node " + receipt.node() + " but the key belongs to " + key.address());
    }
    return new SignedReceipt(receipt, domain, key.sign(receipt.signingDigest(domain)));
  }

  /**
   * Checks the signature exactly as an ecrecover-based contract would, plus low s: it must recover
   * to {@code receipt.node()}.
   */
  public void verify() throws ReceiptSignatureException {
    EthAddress signer;
    try {
      signer = Secp256k1.recover(receipt.signingDigest(domain), signature);
    } catch (InvalidSignatureException e) {
      throw new ReceiptSignatureException("bad receipt signature: " + e.getMessage(), e);
    }
    if (!signer.equals(receipt.node())) {
      throw new ReceiptSignatureException(
          "bad receipt signature: signed by "
              + signer
              + ", but the receipt names node "
              + receipt.node());
    }
  }

  /** The canonical bytes ({@link ReceiptCodec}); this is the entry appended to the log. */
  public Bytes canonicalBytes() {
    return ReceiptCodec.encode(this);
  }

  /** SHA-256 of the canonical bytes: a stable id for the signed receipt. */
  public Digest id() {
    return Digest.of(canonicalBytes());
  }

  /** The RFC 9162 leaf hash of this receipt's log entry: SHA-256(0x00 || canonical bytes). */
  public Bytes leafHash() {
    return Rfc9162.leafHash(canonicalBytes());
  }
}
