// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// The inclusion proof does not fit the tree: index outside it, or a path too long or too short.
error InclusionProofShape(uint64 index, uint64 treeSize, uint256 pathLength, string reason);

/// RFC 9162 (Certificate Transparency v2) Merkle tree hashing with SHA-256 (precompile 0x02):
/// leaf = SHA-256(0x00 || entry), node = SHA-256(0x01 || left || right).
library Rfc9162 {
    function nodeHash(bytes32 left, bytes32 right) internal pure returns (bytes32) {
        return sha256(abi.encodePacked(bytes1(0x01), left, right));
    }

    /// RFC 9162 section 2.1.3.2: the root implied by leafHash at `index` of a tree of `treeSize`.
    function rootFromInclusionProof(uint64 index, uint64 treeSize, bytes32 leafHash, bytes32[] calldata path)
        internal
        pure
        returns (bytes32 r)
    {
        if (index >= treeSize) revert InclusionProofShape(index, treeSize, path.length, "index not inside the tree");
        uint64 fn = index;
        uint64 sn = treeSize - 1;
        r = leafHash;
        for (uint256 i = 0; i < path.length; i++) {
            if (sn == 0) revert InclusionProofShape(index, treeSize, path.length, "path longer than the tree is high");
            if (fn & 1 == 1 || fn == sn) {
                r = nodeHash(path[i], r);
                if (fn & 1 == 0) {
                    while (fn & 1 == 0 && fn != 0) {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            } else {
                r = nodeHash(r, path[i]);
            }
            fn >>= 1;
            sn >>= 1;
        }
        if (sn != 0) revert InclusionProofShape(index, treeSize, path.length, "path shorter than the tree is high");
    }
}
