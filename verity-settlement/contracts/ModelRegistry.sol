// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// The on-chain anchor of model provenance: manifest digest -> publisher, name, version.
/// A (name, version) pair names exactly one digest forever; a digest is registered once.
contract ModelRegistry {
    uint256 public constant MAX_NAME = 128;
    uint256 public constant MAX_VERSION = 64;

    struct Model {
        address publisher;
        uint64 registeredAt;
        bytes32 publisherKey;
        string name;
        string version;
    }

    mapping(bytes32 => Model) private models_;
    mapping(bytes32 => bytes32) private byNameVersion_;
    bytes32[] private digests_;

    event ModelRegistered(
        bytes32 indexed digest, address indexed publisher, bytes32 publisherKey, string name, string version
    );

    error ZeroDigest();
    error ZeroPublisherKey();
    error BadName(string reason);
    error BadVersion(string reason);
    error ModelAlreadyRegistered(bytes32 digest, address publisher, string name, string version);
    error VersionTaken(string name, string version, bytes32 registeredDigest);
    error UnknownModel(bytes32 digest);
    error IndexOutOfRange(uint256 index, uint256 count);

    /// Registers a signed manifest's digest under (name, version); msg.sender is the publisher and
    /// publisherKey the publisher's Ed25519 manifest-signing key.
    function register(bytes32 digest, string calldata name, string calldata version, bytes32 publisherKey)
        external
    {
        if (digest == bytes32(0)) revert ZeroDigest();
        if (publisherKey == bytes32(0)) revert ZeroPublisherKey();
        _checkText(name, MAX_NAME, true);
        _checkText(version, MAX_VERSION, false);
        Model storage existing = models_[digest];
        if (existing.registeredAt != 0) {
            revert ModelAlreadyRegistered(digest, existing.publisher, existing.name, existing.version);
        }
        bytes32 key = keccak256(abi.encode(name, version));
        bytes32 taken = byNameVersion_[key];
        if (taken != bytes32(0)) revert VersionTaken(name, version, taken);
        models_[digest] = Model(msg.sender, uint64(block.timestamp), publisherKey, name, version);
        byNameVersion_[key] = digest;
        digests_.push(digest);
        emit ModelRegistered(digest, msg.sender, publisherKey, name, version);
    }

    function isRegistered(bytes32 digest) external view returns (bool) {
        return models_[digest].registeredAt != 0;
    }

    function getModel(bytes32 digest)
        external
        view
        returns (
            address publisher,
            bytes32 publisherKey,
            string memory name,
            string memory version,
            uint64 registeredAt
        )
    {
        Model storage m = models_[digest];
        if (m.registeredAt == 0) revert UnknownModel(digest);
        return (m.publisher, m.publisherKey, m.name, m.version, m.registeredAt);
    }

    /// The digest registered under (name, version), or zero.
    function digestOf(string calldata name, string calldata version) external view returns (bytes32) {
        return byNameVersion_[keccak256(abi.encode(name, version))];
    }

    function modelCount() external view returns (uint256) {
        return digests_.length;
    }

    function modelAt(uint256 index) external view returns (bytes32) {
        if (index >= digests_.length) revert IndexOutOfRange(index, digests_.length);
        return digests_[index];
    }

    /// 1..max printable ASCII characters (0x21..0x7e), so look-alike names cannot be registered.
    function _checkText(string calldata s, uint256 max, bool isName) private pure {
        bytes calldata b = bytes(s);
        if (b.length == 0 || b.length > max) {
            if (isName) revert BadName("name must have 1 to 128 characters");
            revert BadVersion("version must have 1 to 64 characters");
        }
        for (uint256 i = 0; i < b.length; i++) {
            uint8 c = uint8(b[i]);
            if (c < 0x21 || c > 0x7e) {
                if (isName) revert BadName("name must be printable ASCII without spaces");
                revert BadVersion("version must be printable ASCII without spaces");
            }
        }
    }
}
