// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {Eip712Sig} from "./Eip712Sig.sol";

interface IModelCatalog {
    function isRegistered(bytes32 digest) external view returns (bool);
}

/// Nodes of the Verity network: operator account, receipt-signing key (the node's identity),
/// endpoint, models served, stake in native ETH with an unbonding delay, heartbeats. Contracts the
/// owner authorises as slashers (LogAnchor, later the dispute contract) can slash and ban nodes.
contract NodeRegistry {
    uint256 public constant MAX_MODELS = 64;
    uint256 public constant MAX_ENDPOINT = 256;
    uint256 public constant BPS = 10_000;
    /// What a node's receipt key signs to prove the operator may register it.
    bytes32 public constant NODE_KEY_TYPEHASH = keccak256("NodeKey(address operator,address node)");

    struct Node {
        address operator;
        uint64 registeredAt;
        uint64 lastHeartbeat;
        bool banned;
        uint64 unbondingReadyAt;
        uint256 stake;
        uint256 unbonding;
        string endpoint;
        bytes32[] models;
    }

    address public owner;
    IModelCatalog public immutable modelRegistry;
    uint256 public immutable minStake;
    uint64 public immutable unbondingDelay;
    uint256 public immutable slashRewardBps;
    /// Slashed wei not paid as rewards; locked in this contract forever.
    uint256 public burned;

    mapping(address => bool) public isSlasher;
    mapping(address => Node) private nodes_;
    address[] private nodeList_;
    mapping(bytes32 => address[]) private servers_;
    mapping(bytes32 => mapping(address => uint256)) private serverPos_;

    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);
    event SlasherSet(address indexed slasher, bool allowed);
    event NodeRegistered(address indexed node, address indexed operator, string endpoint, uint256 stake);
    event StakeAdded(address indexed node, uint256 amount, uint256 stake);
    event UnbondRequested(address indexed node, uint256 amount, uint256 unbonding, uint64 readyAt);
    event StakeWithdrawn(address indexed node, address indexed operator, uint256 amount);
    event Heartbeat(address indexed node, uint64 time);
    event EndpointUpdated(address indexed node, string endpoint);
    event ModelsUpdated(address indexed node, bytes32[] models);
    event Slashed(
        address indexed node, address indexed slasher, uint256 amount, address beneficiary, uint256 reward
    );
    event NodeBanned(address indexed node, address indexed slasher);

    error NotOwner(address caller);
    error NotSlasher(address caller);
    error ZeroAddress(string what);
    error InvalidRewardBps(uint256 bps);
    error NodeAlreadyRegistered(address node, address operator);
    error UnknownNode(address node);
    error NotOperator(address node, address caller, address operator);
    error NotNodeController(address node, address caller);
    error NodeIsBanned(address node);
    error StakeBelowMinimum(uint256 stake, uint256 minimum);
    error ZeroAmount();
    error BadEndpoint(uint256 length, uint256 maxLength);
    error TooManyModels(uint256 count, uint256 maxCount);
    error DuplicateModel(bytes32 digest);
    error UnknownModel(bytes32 digest);
    error UnbondExceedsStake(uint256 requested, uint256 stake);
    error NothingUnbonding(address node);
    error UnbondingNotReady(uint64 readyAt, uint256 time);
    error NodeKeyNotProven(address recovered, address node);
    error TransferFailed(address to, uint256 amount);

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _;
    }

    modifier onlySlasher() {
        if (!isSlasher[msg.sender]) revert NotSlasher(msg.sender);
        _;
    }

    constructor(address modelRegistry_, uint256 minStake_, uint64 unbondingDelay_, uint256 slashRewardBps_) {
        if (modelRegistry_ == address(0)) revert ZeroAddress("modelRegistry");
        if (slashRewardBps_ > BPS) revert InvalidRewardBps(slashRewardBps_);
        if (minStake_ == 0) revert ZeroAmount();
        modelRegistry = IModelCatalog(modelRegistry_);
        minStake = minStake_;
        unbondingDelay = unbondingDelay_;
        slashRewardBps = slashRewardBps_;
        owner = msg.sender;
        emit OwnershipTransferred(address(0), msg.sender);
    }

    // ---------------------------------------------------------------- administration

    function transferOwnership(address newOwner) external onlyOwner {
        if (newOwner == address(0)) revert ZeroAddress("newOwner");
        emit OwnershipTransferred(owner, newOwner);
        owner = newOwner;
    }

    /// Authorises (or de-authorises) a contract to slash and ban nodes.
    function setSlasher(address slasher, bool allowed) external onlyOwner {
        if (slasher == address(0)) revert ZeroAddress("slasher");
        isSlasher[slasher] = allowed;
        emit SlasherSet(slasher, allowed);
    }

    // ---------------------------------------------------------------- operators

    /// Registers node `node` (its receipt key address) for operator msg.sender with msg.value as
    /// stake. nodeKeySig is the receipt key's EIP-712 signature over NodeKey{operator, node} in the
    /// receipt domain, so nobody can claim another node's receipts.
    function register(
        address node,
        string calldata endpoint,
        bytes32[] calldata models,
        bytes calldata nodeKeySig
    ) external payable {
        if (node == address(0)) revert ZeroAddress("node");
        Node storage n = nodes_[node];
        if (n.operator != address(0)) revert NodeAlreadyRegistered(node, n.operator);
        if (msg.value < minStake) revert StakeBelowMinimum(msg.value, minStake);
        bytes32 structHash = keccak256(abi.encode(NODE_KEY_TYPEHASH, msg.sender, node));
        address signer = Eip712Sig.recover(Eip712Sig.digest(receiptDomainSeparator(), structHash), nodeKeySig);
        if (signer != node) revert NodeKeyNotProven(signer, node);
        _checkEndpoint(endpoint);
        n.operator = msg.sender;
        n.registeredAt = uint64(block.timestamp);
        n.lastHeartbeat = uint64(block.timestamp);
        n.stake = msg.value;
        n.endpoint = endpoint;
        nodeList_.push(node);
        _setModels(node, n, models);
        emit NodeRegistered(node, msg.sender, endpoint, msg.value);
        emit ModelsUpdated(node, models);
    }

    function addStake(address node) external payable {
        Node storage n = _operated(node);
        if (n.banned) revert NodeIsBanned(node);
        if (msg.value == 0) revert ZeroAmount();
        n.stake += msg.value;
        emit StakeAdded(node, msg.value, n.stake);
    }

    /// Moves `amount` from active stake to unbonding; it stays slashable until withdrawn and can be
    /// withdrawn unbondingDelay seconds after the latest request.
    function requestUnbond(address node, uint256 amount) external {
        Node storage n = _operated(node);
        if (amount == 0) revert ZeroAmount();
        if (amount > n.stake) revert UnbondExceedsStake(amount, n.stake);
        n.stake -= amount;
        n.unbonding += amount;
        n.unbondingReadyAt = uint64(block.timestamp) + unbondingDelay;
        emit UnbondRequested(node, amount, n.unbonding, n.unbondingReadyAt);
    }

    /// Pays the whole unbonded amount to the operator once the delay has passed.
    function withdraw(address node) external {
        Node storage n = _operated(node);
        uint256 amount = n.unbonding;
        if (amount == 0) revert NothingUnbonding(node);
        if (block.timestamp < n.unbondingReadyAt) revert UnbondingNotReady(n.unbondingReadyAt, block.timestamp);
        n.unbonding = 0;
        n.unbondingReadyAt = 0;
        emit StakeWithdrawn(node, msg.sender, amount);
        _send(msg.sender, amount);
    }

    /// Liveness signal; the operator or the node's receipt key may send it.
    function heartbeat(address node) external {
        Node storage n = _controlled(node);
        if (n.banned) revert NodeIsBanned(node);
        n.lastHeartbeat = uint64(block.timestamp);
        emit Heartbeat(node, uint64(block.timestamp));
    }

    function updateEndpoint(address node, string calldata endpoint) external {
        Node storage n = _operated(node);
        _checkEndpoint(endpoint);
        n.endpoint = endpoint;
        emit EndpointUpdated(node, endpoint);
    }

    /// Replaces the list of models the node serves.
    function updateModels(address node, bytes32[] calldata models) external {
        Node storage n = _operated(node);
        _setModels(node, n, models);
        emit ModelsUpdated(node, models);
    }

    // ---------------------------------------------------------------- slashers

    /// Takes up to `amount` from the node's stake, then from its unbonding balance; pays
    /// slashed * slashRewardBps / 10000 to `beneficiary` and burns the rest.
    function slash(address node, uint256 amount, address beneficiary)
        external
        onlySlasher
        returns (uint256 slashed, uint256 reward)
    {
        Node storage n = nodes_[node];
        if (n.operator == address(0)) revert UnknownNode(node);
        if (beneficiary == address(0)) revert ZeroAddress("beneficiary");
        uint256 fromStake = amount < n.stake ? amount : n.stake;
        n.stake -= fromStake;
        uint256 rest = amount - fromStake;
        uint256 fromUnbonding = rest < n.unbonding ? rest : n.unbonding;
        n.unbonding -= fromUnbonding;
        slashed = fromStake + fromUnbonding;
        reward = slashed * slashRewardBps / BPS;
        burned += slashed - reward;
        emit Slashed(node, msg.sender, slashed, beneficiary, reward);
        if (reward > 0) _send(beneficiary, reward);
    }

    /// Excludes the node for good: no heartbeats, no new stake, never active again.
    function ban(address node) external onlySlasher {
        Node storage n = nodes_[node];
        if (n.operator == address(0)) revert UnknownNode(node);
        n.banned = true;
        emit NodeBanned(node, msg.sender);
    }

    // ---------------------------------------------------------------- views

    /// The EIP-712 domain receipts are signed under: "Verity", "1", this chain, this registry.
    function receiptDomainSeparator() public view returns (bytes32) {
        return Eip712Sig.domainSeparator(address(this));
    }

    function isRegistered(address node) external view returns (bool) {
        return nodes_[node].operator != address(0);
    }

    function operatorOf(address node) external view returns (address) {
        return nodes_[node].operator;
    }

    function isBanned(address node) external view returns (bool) {
        return nodes_[node].banned;
    }

    /// Registered, not banned, stake >= minStake and a heartbeat within maxHeartbeatAge seconds.
    /// A heartbeat stamped later than the block evaluating the call (an eth_call against a
    /// block environment older than the newest mined block) counts as fresh, not as an underflow.
    function isActive(address node, uint256 maxHeartbeatAge) public view returns (bool) {
        Node storage n = nodes_[node];
        return n.operator != address(0) && !n.banned && n.stake >= minStake
            && (block.timestamp <= n.lastHeartbeat || block.timestamp - n.lastHeartbeat <= maxHeartbeatAge);
    }

    function getNode(address node)
        external
        view
        returns (
            address operator,
            string memory endpoint,
            uint256 stake,
            uint256 unbonding,
            uint64 unbondingReadyAt,
            uint64 registeredAt,
            uint64 lastHeartbeat,
            bool banned,
            bytes32[] memory models
        )
    {
        Node storage n = nodes_[node];
        if (n.operator == address(0)) revert UnknownNode(node);
        return (
            n.operator,
            n.endpoint,
            n.stake,
            n.unbonding,
            n.unbondingReadyAt,
            n.registeredAt,
            n.lastHeartbeat,
            n.banned,
            n.models
        );
    }

    function nodeCount() external view returns (uint256) {
        return nodeList_.length;
    }

    /// Registered nodes [offset, offset + limit) in registration order.
    function listNodes(uint256 offset, uint256 limit) external view returns (address[] memory page) {
        uint256 total = nodeList_.length;
        if (offset >= total) return new address[](0);
        uint256 end = limit > total - offset ? total : offset + limit;
        page = new address[](end - offset);
        for (uint256 i = offset; i < end; i++) {
            page[i - offset] = nodeList_[i];
        }
    }

    /// Every node that lists `model` (active or not).
    function nodesServing(bytes32 model) external view returns (address[] memory) {
        return servers_[model];
    }

    /// Nodes that list `model` and are active (see isActive).
    function activeNodesServing(bytes32 model, uint256 maxHeartbeatAge) external view returns (address[] memory) {
        address[] storage all = servers_[model];
        address[] memory tmp = new address[](all.length);
        uint256 k;
        for (uint256 i = 0; i < all.length; i++) {
            if (isActive(all[i], maxHeartbeatAge)) tmp[k++] = all[i];
        }
        assembly {
            mstore(tmp, k)
        }
        return tmp;
    }

    // ---------------------------------------------------------------- internals

    function _operated(address node) private view returns (Node storage n) {
        n = nodes_[node];
        if (n.operator == address(0)) revert UnknownNode(node);
        if (n.operator != msg.sender) revert NotOperator(node, msg.sender, n.operator);
    }

    function _controlled(address node) private view returns (Node storage n) {
        n = nodes_[node];
        if (n.operator == address(0)) revert UnknownNode(node);
        if (msg.sender != n.operator && msg.sender != node) revert NotNodeController(node, msg.sender);
    }

    function _checkEndpoint(string calldata endpoint) private pure {
        uint256 len = bytes(endpoint).length;
        if (len == 0 || len > MAX_ENDPOINT) revert BadEndpoint(len, MAX_ENDPOINT);
    }

    function _setModels(address node, Node storage n, bytes32[] calldata models) private {
        if (models.length > MAX_MODELS) revert TooManyModels(models.length, MAX_MODELS);
        bytes32[] storage old = n.models;
        for (uint256 i = 0; i < old.length; i++) {
            _removeServer(old[i], node);
        }
        delete n.models;
        for (uint256 i = 0; i < models.length; i++) {
            bytes32 m = models[i];
            if (!modelRegistry.isRegistered(m)) revert UnknownModel(m);
            if (serverPos_[m][node] != 0) revert DuplicateModel(m);
            servers_[m].push(node);
            serverPos_[m][node] = servers_[m].length;
            n.models.push(m);
        }
    }

    function _removeServer(bytes32 model, address node) private {
        uint256 pos = serverPos_[model][node];
        if (pos == 0) return;
        address[] storage list = servers_[model];
        address last = list[list.length - 1];
        list[pos - 1] = last;
        serverPos_[model][last] = pos;
        list.pop();
        delete serverPos_[model][node];
    }

    function _send(address to, uint256 amount) private {
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert TransferFailed(to, amount);
    }
}
