// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// The Verity receipt (verity-receipts/docs/RECEIPTS.md) and its EIP-712 hashStruct, shared by
/// every contract that checks receipts (Escrow now, the dispute contract later).
library VerityReceipt {
    bytes32 internal constant TYPEHASH = keccak256(
        "Receipt(bytes32 modelDigest,string engineId,string engineVersion,bytes32 engineConfigDigest,"
        "uint8 numericMode,bytes32 inputDigest,bytes32 outputDigest,bytes32 traceRoot,"
        "uint64 traceLeaves,address node,string requestId,uint64 timeMillis,string policy,uint64 seed)"
    );

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
}
