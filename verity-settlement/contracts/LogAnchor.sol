// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {INodeRegistry} from "./INodeRegistry.sol";
import {Rfc9162} from "./Rfc9162.sol";

/// Nodes anchor (treeSize, rootHash) checkpoints of their RFC 9162 transparency logs. Anyone who
/// shows that two anchored checkpoints of one node cannot both be honest gets the node's whole
/// stake slashed through NodeRegistry (reward share to the reporter) and the node banned.
contract LogAnchor {
    uint256 public constant MAX_PROOF = 64;

    struct Checkpoint {
        uint64 treeSize;
        uint64 anchoredAt;
        bytes32 root;
    }

    INodeRegistry public immutable registry;
    mapping(address => Checkpoint[]) private checkpoints_;
    mapping(address => bool) public convicted;

    event CheckpointAnchored(address indexed node, uint256 indexed index, uint64 treeSize, bytes32 root);
    event ForkProven(
        address indexed node,
        address indexed reporter,
        uint256 checkpointA,
        uint256 checkpointB,
        uint64 leafIndex,
        uint256 slashed,
        uint256 reward
    );

    error UnknownNode(address node);
    error NotNodeController(address node, address caller);
    error NodeConvicted(address node);
    error NodeIsBanned(address node);
    error EmptyTree();
    error TreeSizeDecreased(address node, uint64 latest, uint64 given);
    error CheckpointUnchanged(uint64 treeSize, bytes32 root);
    error UnknownCheckpoint(address node, uint256 index, uint256 count);
    error SameCheckpoint(uint256 index);
    error NoConflict(string reason);
    error LeafIndexOutOfRange(uint64 leafIndex, uint64 smallerTreeSize);
    error ProofTooLong(uint256 length, uint256 maxLength);
    error InclusionProofMismatch(uint8 which, bytes32 computedRoot, bytes32 anchoredRoot);

    constructor(address registry_) {
        registry = INodeRegistry(registry_);
    }

    /// Posts a checkpoint of `node`'s log; the operator or the node's receipt key may post.
    /// Tree sizes never decrease; the same size may be posted again only with another root (which
    /// is itself evidence of a fork).
    function anchor(address node, uint64 treeSize, bytes32 root) external {
        address operator = registry.operatorOf(node);
        if (operator == address(0)) revert UnknownNode(node);
        if (msg.sender != operator && msg.sender != node) revert NotNodeController(node, msg.sender);
        if (convicted[node]) revert NodeConvicted(node);
        if (registry.isBanned(node)) revert NodeIsBanned(node);
        if (treeSize == 0) revert EmptyTree();
        Checkpoint[] storage list = checkpoints_[node];
        if (list.length > 0) {
            Checkpoint storage last = list[list.length - 1];
            if (treeSize < last.treeSize) revert TreeSizeDecreased(node, last.treeSize, treeSize);
            if (treeSize == last.treeSize && root == last.root) revert CheckpointUnchanged(treeSize, root);
        }
        list.push(Checkpoint(treeSize, uint64(block.timestamp), root));
        emit CheckpointAnchored(node, list.length - 1, treeSize, root);
    }

    /// Fork evidence against `node`: checkpoints a and b (indexes into its anchored list). Same
    /// size with different roots is conclusive by itself (proofs are ignored). Otherwise leafHashA
    /// at leafIndex under root a and leafHashB at the same index under root b, two different leaf
    /// hashes, each with a valid RFC 9162 inclusion proof: an append-only log cannot hold both.
    function reportFork(
        address node,
        uint256 a,
        uint256 b,
        uint64 leafIndex,
        bytes32 leafHashA,
        bytes32[] calldata proofA,
        bytes32 leafHashB,
        bytes32[] calldata proofB
    ) external returns (uint256 slashed, uint256 reward) {
        if (convicted[node]) revert NodeConvicted(node);
        Checkpoint[] storage list = checkpoints_[node];
        if (a >= list.length) revert UnknownCheckpoint(node, a, list.length);
        if (b >= list.length) revert UnknownCheckpoint(node, b, list.length);
        if (a == b) revert SameCheckpoint(a);
        Checkpoint memory ca = list[a];
        Checkpoint memory cb = list[b];
        if (ca.treeSize == cb.treeSize) {
            if (ca.root == cb.root) revert NoConflict("same size and same root");
        } else {
            uint64 smaller = ca.treeSize < cb.treeSize ? ca.treeSize : cb.treeSize;
            if (leafIndex >= smaller) revert LeafIndexOutOfRange(leafIndex, smaller);
            if (leafHashA == leafHashB) revert NoConflict("the two leaf hashes are equal");
            if (proofA.length > MAX_PROOF) revert ProofTooLong(proofA.length, MAX_PROOF);
            if (proofB.length > MAX_PROOF) revert ProofTooLong(proofB.length, MAX_PROOF);
            bytes32 rootA = Rfc9162.rootFromInclusionProof(leafIndex, ca.treeSize, leafHashA, proofA);
            if (rootA != ca.root) revert InclusionProofMismatch(0, rootA, ca.root);
            bytes32 rootB = Rfc9162.rootFromInclusionProof(leafIndex, cb.treeSize, leafHashB, proofB);
            if (rootB != cb.root) revert InclusionProofMismatch(1, rootB, cb.root);
        }
        convicted[node] = true;
        (slashed, reward) = registry.slash(node, type(uint256).max, msg.sender);
        registry.ban(node);
        emit ForkProven(node, msg.sender, a, b, leafIndex, slashed, reward);
    }

    function checkpointCount(address node) external view returns (uint256) {
        return checkpoints_[node].length;
    }

    function checkpointAt(address node, uint256 index)
        external
        view
        returns (uint64 treeSize, bytes32 root, uint64 anchoredAt)
    {
        Checkpoint[] storage list = checkpoints_[node];
        if (index >= list.length) revert UnknownCheckpoint(node, index, list.length);
        Checkpoint storage c = list[index];
        return (c.treeSize, c.root, c.anchoredAt);
    }

    /// The latest anchored checkpoint; treeSize 0 when the node never anchored.
    function latest(address node) external view returns (uint64 treeSize, bytes32 root, uint64 anchoredAt) {
        Checkpoint[] storage list = checkpoints_[node];
        if (list.length == 0) return (0, bytes32(0), 0);
        Checkpoint storage c = list[list.length - 1];
        return (c.treeSize, c.root, c.anchoredAt);
    }

    /// RFC 9162 inclusion-proof evaluation, exposed for clients and cross-checks.
    function rootFromInclusionProof(uint64 index, uint64 treeSize, bytes32 leafHash, bytes32[] calldata path)
        external
        pure
        returns (bytes32)
    {
        if (path.length > MAX_PROOF) revert ProofTooLong(path.length, MAX_PROOF);
        return Rfc9162.rootFromInclusionProof(index, treeSize, leafHash, path);
    }
}
