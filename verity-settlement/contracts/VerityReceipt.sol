// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {Eip712Sig} from "./Eip712Sig.sol";
import {Rfc9162} from "./Rfc9162.sol";

/// A batch signature names a batch larger than receipts allow (batchSize <= maxBatchSize).
error BatchTooLarge(uint64 batchSize, uint64 maxBatchSize);
/// A direct signature (batchSize 0) carries a batch index or path.
error DirectSignatureWithBatchFields(uint64 batchIndex, uint256 pathLength);

/// The Verity receipt (verity-receipts/docs/RECEIPTS.md), its EIP-712 hashStruct and the check of
/// its node's signature in either format, shared by every contract that checks receipts (Escrow,
/// DisputeManager).
library VerityReceipt {
    bytes32 internal constant TYPEHASH = keccak256(
        "Receipt(bytes32 modelDigest,string engineId,string engineVersion,bytes32 engineConfigDigest,"
        "uint8 numericMode,bytes32 inputDigest,bytes32 outputDigest,bytes32 traceRoot,"
        "uint64 traceLeaves,address node,string requestId,uint64 timeMillis,string policy,uint64 seed)"
    );

    bytes32 internal constant BATCH_TYPEHASH = keccak256("ReceiptBatch(bytes32 root,uint64 size)");
    uint64 internal constant MAX_BATCH_SIZE = 65536;

    /// The node's signature over a receipt. batchSize 0: `sig` signs the receipt's own EIP-712
    /// digest (format 1; batchIndex 0, empty path). Otherwise (format 2) `sig` signs the EIP-712
    /// ReceiptBatch{root, batchSize}, where root is the RFC 9162 root over the batch's receipt
    /// digests and batchPath proves this receipt's digest at batchIndex (leaf to root).
    struct Signature {
        bytes sig;
        uint64 batchSize;
        uint64 batchIndex;
        bytes32[] batchPath;
    }

    struct Receipt {
        bytes32 modelDigest;
        string engineId;
        string engineVersion;
        bytes32 engineConfigDigest;
        uint8 numericMode;
        bytes32 inputDigest;
        bytes32 outputDigest;
        bytes32 traceRoot;
        uint64 traceLeaves;
        address node;
        string requestId;
        uint64 timeMillis;
        string policy;
        uint64 seed;
    }

    function hashStruct(Receipt calldata r) internal pure returns (bytes32) {
        // Two halves keep the stack shallow; all members are 32-byte words, so the concatenation
        // is exactly EIP-712 encodeData.
        bytes memory head = abi.encode(
            TYPEHASH,
            r.modelDigest,
            keccak256(bytes(r.engineId)),
            keccak256(bytes(r.engineVersion)),
            r.engineConfigDigest,
            r.numericMode,
            r.inputDigest,
            r.outputDigest
        );
        bytes memory tail = abi.encode(
            r.traceRoot,
            r.traceLeaves,
            r.node,
            keccak256(bytes(r.requestId)),
            r.timeMillis,
            keccak256(bytes(r.policy)),
            r.seed
        );
        return keccak256(bytes.concat(head, tail));
    }

    /// The address that signed the receipt with EIP-712 digest `receiptDigest` (in the receipt
    /// domain `separator`), in either format. Reverts with a named error for a malformed
    /// signature (Eip712Sig), a batch too large (BatchTooLarge), a path that does not fit
    /// (batchIndex, batchSize) (InclusionProofShape) and batch fields on a direct signature. A path
    /// or index that fits the shape but is wrong yields another root, hence another signer.
    function signer(bytes32 separator, bytes32 receiptDigest, Signature calldata s) internal pure returns (address) {
        if (s.batchSize == 0) {
            if (s.batchIndex != 0 || s.batchPath.length != 0) {
                revert DirectSignatureWithBatchFields(s.batchIndex, s.batchPath.length);
            }
            return Eip712Sig.recover(receiptDigest, s.sig);
        }
        return Eip712Sig.recover(batchDigest(separator, batchRoot(receiptDigest, s), s.batchSize), s.sig);
    }

    /// RFC 9162 root of the batch implied by the receipt digest (a leaf SHA-256(0x00 || digest)),
    /// batchIndex, batchSize and batchPath.
    function batchRoot(bytes32 receiptDigest, Signature calldata s) internal pure returns (bytes32) {
        if (s.batchSize > MAX_BATCH_SIZE) revert BatchTooLarge(s.batchSize, MAX_BATCH_SIZE);
        bytes32 leaf = sha256(abi.encodePacked(bytes1(0x00), receiptDigest));
        return Rfc9162.rootFromInclusionProof(s.batchIndex, s.batchSize, leaf, s.batchPath);
    }

    /// keccak256(0x1901 || separator || keccak256(BATCH_TYPEHASH || root || uint256(size))).
    function batchDigest(bytes32 separator, bytes32 root, uint64 size) internal pure returns (bytes32) {
        return Eip712Sig.digest(separator, keccak256(abi.encode(BATCH_TYPEHASH, root, uint256(size))));
    }
}
