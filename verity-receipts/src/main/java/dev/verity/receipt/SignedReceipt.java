package dev.verity.receipt;

import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.log.MemoryHashStore;
import dev.verity.log.MerkleTree;
import dev.verity.log.Rfc9162;
import dev.verity.receipt.eth.EthAddress;
import dev.verity.receipt.eth.EthSignature;
import dev.verity.receipt.eth.InvalidSignatureException;
import dev.verity.receipt.eth.Secp256k1;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A receipt with the domain it was signed under and the node's 65-byte signature. A direct (format
 * 1) receipt's signature covers its own EIP-712 digest; a batch-signed (format 2) receipt also
 * carries a {@link BatchProof}, and its signature covers the root of the batch it was signed in
 * (docs/RECEIPTS.md). {@link #verify()} accepts both.
 */
public final class SignedReceipt {
  private final Receipt receipt;
  private final ReceiptDomain domain;
  private final EthSignature signature;
  private final BatchProof batch; // null for a direct signature
  // Encoded once: the node appends it to its log and names the receipt by its hash.
  private volatile Bytes canonical;

  /** A directly signed (format 1) receipt. */
  public SignedReceipt(Receipt receipt, ReceiptDomain domain, EthSignature signature) {
    this.receipt = Objects.requireNonNull(receipt, "receipt");
    this.domain = Objects.requireNonNull(domain, "domain");
    this.signature = Objects.requireNonNull(signature, "signature");
    this.batch = null;
  }

  /** A batch-signed (format 2) receipt: {@code signature} covers the batch root. */
  public SignedReceipt(
      Receipt receipt, ReceiptDomain domain, EthSignature signature, BatchProof batch) {
    this.receipt = Objects.requireNonNull(receipt, "receipt");
    this.domain = Objects.requireNonNull(domain, "domain");
    this.signature = Objects.requireNonNull(signature, "signature");
    this.batch = Objects.requireNonNull(batch, "batch");
  }

  /** Signs {@code receipt}; the key must be the one whose address the receipt names. */
  public static SignedReceipt sign(Receipt receipt, ReceiptDomain domain, ReceiptKey key) {
    checkNode(receipt, key);
    return new SignedReceipt(receipt, domain, key.sign(receipt.signingDigest(domain)));
  }

  /**
   * Signs {@code receipts} with one signature over the RFC 9162 root of their EIP-712 digests;
   * returns them batch-signed, in order. Every receipt must name the key's address.
   */
  public static List<SignedReceipt> signBatch(
      List<Receipt> receipts, ReceiptDomain domain, ReceiptKey key) {
    return signBatch(receipts.stream().map(r -> DigestedReceipt.of(r, domain)).toList(), key);
  }

  /**
   * Like {@link #signBatch(List, ReceiptDomain, ReceiptKey)} for receipts whose digests were
   * computed ahead (a node does that on the request threads); all must share one domain.
   */
  public static List<SignedReceipt> signBatch(List<DigestedReceipt> receipts, ReceiptKey key) {
    int n = receipts.size();
    if (n < 1 || n > BatchProof.MAX_SIZE) {
      throw new IllegalArgumentException(
          "a batch holds 1 to " + BatchProof.MAX_SIZE + " receipts, got " + n);
    }
    ReceiptDomain domain = receipts.getFirst().domain();
    MemoryHashStore leaves = new MemoryHashStore();
    for (DigestedReceipt r : receipts) {
      checkNode(r.receipt(), key);
      if (!r.domain().equals(domain)) {
        throw new IllegalArgumentException("all receipts of a batch must share one domain");
      }
      leaves.append(Rfc9162.leafHash(r.digest().toByteArray()));
    }
    MerkleTree tree = MerkleTree.ofAppendOnly(leaves);
    Bytes root = tree.rootHash(n);
    EthSignature sig = key.sign(BatchProof.signingDigest(domain, root, n));
    List<SignedReceipt> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      BatchProof proof = new BatchProof(n, i, tree.inclusionProof(i, n).path());
      out.add(new SignedReceipt(receipts.get(i).receipt(), domain, sig, proof));
    }
    return out;
  }

  /** Signs one receipt directly (format 1), using its digest computed ahead. */
  public static SignedReceipt sign(DigestedReceipt receipt, ReceiptKey key) {
    checkNode(receipt.receipt(), key);
    return new SignedReceipt(receipt.receipt(), receipt.domain(), key.sign(receipt.digest()));
  }

  private static void checkNode(Receipt receipt, ReceiptKey key) {
    if (!key.address().equals(receipt.node())) {
      throw new IllegalArgumentException(
          "receipt names node " + receipt.node() + " but the key belongs to " + key.address());
    }
  }

  /**
   * Checks the signature exactly as an ecrecover-based contract would, plus low s: it must recover
   * to {@code receipt.node()}. For a batch-signed receipt the recovered message is the batch digest
   * of the root rebuilt from this receipt's digest, index and path.
   */
  public void verify() throws ReceiptSignatureException {
    Bytes receiptDigest = receipt.signingDigest(domain);
    if (batch == null) {
      EthAddress signer = recover(receiptDigest, "bad receipt signature");
      if (!signer.equals(receipt.node())) {
        throw new ReceiptSignatureException(
            "bad receipt signature: signed by "
                + signer
                + ", but the receipt names node "
                + receipt.node());
      }
      return;
    }
    Bytes root = batch.root(receiptDigest);
    EthAddress signer =
        recover(
            BatchProof.signingDigest(domain, root, batch.size()),
            "bad receipt signature: batch signature");
    if (!signer.equals(receipt.node())) {
      throw new ReceiptSignatureException(
          "bad receipt signature: batch signature recovers "
              + signer
              + ", receipt node is "
              + receipt.node()
              + " (root "
              + root.toHex()
              + " rebuilt from index "
              + batch.index()
              + " of "
              + batch.size()
              + " was not signed by the node: receipt, index, path or size altered,"
              + " or another signer)");
    }
  }

  private EthAddress recover(Bytes digest, String failure) throws ReceiptSignatureException {
    try {
      return Secp256k1.recover(digest, signature);
    } catch (InvalidSignatureException e) {
      throw new ReceiptSignatureException(failure + ": " + e.getMessage(), e);
    }
  }

  public Receipt receipt() {
    return receipt;
  }

  public ReceiptDomain domain() {
    return domain;
  }

  /** The 65-byte signature: over the receipt digest, or over the batch digest if batch-signed. */
  public EthSignature signature() {
    return signature;
  }

  /** Present for a batch-signed (format 2) receipt. */
  public Optional<BatchProof> batch() {
    return Optional.ofNullable(batch);
  }

  /** The canonical bytes ({@link ReceiptCodec}); this is the entry appended to the log. */
  public Bytes canonicalBytes() {
    Bytes c = canonical;
    if (c == null) {
      c = ReceiptCodec.encode(this);
      canonical = c;
    }
    return c;
  }

  /** SHA-256 of the canonical bytes: a stable id for the signed receipt. */
  public Digest id() {
    return Digest.of(canonicalBytes());
  }

  /** The RFC 9162 leaf hash of this receipt's log entry: SHA-256(0x00 || canonical bytes). */
  public Bytes leafHash() {
    return Rfc9162.leafHash(canonicalBytes());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SignedReceipt other
        && receipt.equals(other.receipt)
        && domain.equals(other.domain)
        && signature.equals(other.signature)
        && Objects.equals(batch, other.batch);
  }

  @Override
  public int hashCode() {
    return Objects.hash(receipt, domain, signature, batch);
  }

  @Override
  public String toString() {
    return "SignedReceipt[receipt="
        + receipt
        + ", domain="
        + domain
        + ", signature="
        + signature
        + (batch == null ? "" : ", batch=" + batch)
        + "]";
  }
}
