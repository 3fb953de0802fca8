package dev.verity.receipt;

import dev.verity.core.Bytes;
import dev.verity.log.InclusionProof;
import dev.verity.log.InvalidProofException;
import dev.verity.log.Rfc9162;
import dev.verity.receipt.eth.Eip712;
import java.util.List;
import java.util.Objects;

/**
 * Where a batch-signed (format 2) receipt sits in the batch its node signed once: the batch size,
 * the receipt's index and its RFC 9162 inclusion path (leaf to root) in the SHA-256 Merkle tree
 * over the receipts' EIP-712 digests. The node's signature covers the EIP-712 struct {@link #TYPE}
 * holding that tree's root and the size (docs/RECEIPTS.md, "Batch-signed receipts").
 */
public record BatchProof(int size, int index, List<Bytes> path) {
  /** Largest batch a node signs; paths are then at most 16 hashes long. */
  public static final int MAX_SIZE = 1 << 16;

  /** The EIP-712 encodeType string of the signed batch; its keccak256 is {@link #TYPEHASH}. */
  public static final String TYPE = "ReceiptBatch(bytes32 root,uint64 size)";

  public static final Bytes TYPEHASH = Eip712.typeHash(TYPE);

  public BatchProof {
    if (size < 1 || size > MAX_SIZE) {
      throw new IllegalArgumentException(
          "batch size must be in [1, " + MAX_SIZE + "], got " + size);
    }
    if (index < 0 || index >= size) {
      throw new IllegalArgumentException(
          "batch index must be in [0, " + (size - 1) + "], got " + index);
    }
    Objects.requireNonNull(path, "path");
    path = List.copyOf(path);
    int expected = Rfc9162.inclusionPathLength(index, size);
    if (path.size() != expected) {
      throw new IllegalArgumentException(
          "batch path must have "
              + expected
              + " hashes for index "
              + index
              + " of "
              + size
              + ", got "
              + path.size());
    }
    for (int i = 0; i < path.size(); i++) {
      if (path.get(i).length() != Rfc9162.HASH_SIZE) {
        throw new IllegalArgumentException(
            "batch path[" + i + "] must be 32 bytes, got " + path.get(i).length());
      }
    }
  }

  /** The batch root this proof implies for a receipt with EIP-712 digest {@code receiptDigest}. */
  public Bytes root(Bytes receiptDigest) {
    try {
      return new InclusionProof(index, size, path).rootFrom(Rfc9162.leafHash(receiptDigest));
    } catch (InvalidProofException e) {
      // The constructor pinned the path's length to (index, size), so the path always fits.
      throw new IllegalStateException("batch inclusion path does not fit: " + e.getMessage(), e);
    }
  }

  /**
   * EIP-712 hashStruct(ReceiptBatch{root, size}) = keccak256(TYPEHASH || root || uint256(size)).
   */
  public static Bytes structHash(Bytes root, int size) {
    return encodeStruct(root, size).hash();
  }

  /** The digest a node signs for a batch: keccak256(0x1901 || domainSeparator || structHash). */
  public static Bytes signingDigest(ReceiptDomain domain, Bytes root, int size) {
    return Eip712.digest(domain.separator(), encodeStruct(root, size));
  }

  private static Eip712.StructEncoder encodeStruct(Bytes root, int size) {
    return Eip712.struct(TYPEHASH, 2).bytes32(root).uint(size);
  }

  @Override
  public String toString() {
    return "BatchProof[size=" + size + ", index=" + index + ", path=" + path + "]";
  }
}
