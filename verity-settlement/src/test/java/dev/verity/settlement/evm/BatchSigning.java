package dev.verity.settlement.evm;

import dev.verity.core.Bytes;
import dev.verity.log.MemoryHashStore;
import dev.verity.log.MerkleTree;
import dev.verity.log.Rfc9162;
import dev.verity.receipt.Receipt;
import dev.verity.receipt.ReceiptDomain;
import dev.verity.receipt.ReceiptKey;
import dev.verity.receipt.eth.Eip712;
import dev.verity.receipt.eth.EthSignature;
import java.util.ArrayList;
import java.util.List;
import org.web3j.abi.datatypes.DynamicStruct;

/**
 * Batch signing (format 2, /docs/RECEIPTS.md) computed independently of the receipts module for the
 * contract tests: RFC 9162 tree over the receipts' EIP-712 digests, one signature over the EIP-712
 * {@code ReceiptBatch{root, size}}.
 */
final class BatchSigning {
  static final Bytes BATCH_TYPEHASH = Eip712.typeHash("ReceiptBatch(bytes32 root,uint64 size)");

  private BatchSigning() {}

  /** One receipt of a batch with the batch signature and its position and path. */
  record Member(
      Receipt receipt, EthSignature sig, long size, long index, List<Bytes> path, Bytes root) {
    Member {
      path = List.copyOf(path);
    }

    DynamicStruct struct() {
      return EvmSettlement.signatureStruct(sig, size, index, path);
    }

    Member withSig(EthSignature other) {
      return new Member(receipt, other, size, index, path, root);
    }

    Member withPosition(long newSize, long newIndex, List<Bytes> newPath) {
      return new Member(receipt, sig, newSize, newIndex, newPath, root);
    }
  }

  static Bytes batchDigest(ReceiptDomain domain, Bytes root, long size) {
    return Eip712.digest(
        domain.separator(),
        Eip712.hashStruct(BATCH_TYPEHASH, Eip712.bytes32(root), Eip712.uint(size)));
  }

  static List<Member> sign(List<Receipt> receipts, ReceiptDomain domain, ReceiptKey key) {
    int n = receipts.size();
    MemoryHashStore leaves = new MemoryHashStore();
    for (Receipt r : receipts) {
      leaves.append(Rfc9162.leafHash(r.signingDigest(domain).toByteArray()));
    }
    MerkleTree tree = new MerkleTree(leaves);
    Bytes root = tree.rootHash(n);
    EthSignature sig = key.sign(batchDigest(domain, root, n));
    List<Member> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(new Member(receipts.get(i), sig, n, i, tree.inclusionProof(i, n).path(), root));
    }
    return out;
  }
}
