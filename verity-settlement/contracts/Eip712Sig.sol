// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// A signature is not 65 bytes r || s || v.
error SignatureLength(uint256 length);
/// s is in the upper half of the curve order (a malleated signature; EIP-2).
error SignatureHighS();
/// v is neither 27 nor 28.
error SignatureBadV(uint8 v);
/// ecrecover found no signer.
error SignatureInvalid();

/// EIP-712 domain and strict ecrecover shared by the Verity contracts.
library Eip712Sig {
    bytes32 internal constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 internal constant NAME_HASH = keccak256("Verity");
    bytes32 internal constant VERSION_HASH = keccak256("1");
    uint256 internal constant HALF_N = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;

    /// Domain {name "Verity", version "1", the current chain id, verifyingContract}.
    function domainSeparator(address verifyingContract) internal view returns (bytes32) {
        return keccak256(abi.encode(DOMAIN_TYPEHASH, NAME_HASH, VERSION_HASH, block.chainid, verifyingContract));
    }

    function digest(bytes32 separator, bytes32 structHash) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(hex"1901", separator, structHash));
    }

    /// The signer of a 65-byte r || s || v signature; rejects high s, bad v and failed recovery.
    function recover(bytes32 hash, bytes calldata sig) internal pure returns (address) {
        if (sig.length != 65) revert SignatureLength(sig.length);
        bytes32 r = bytes32(sig[0:32]);
        bytes32 s = bytes32(sig[32:64]);
        uint8 v = uint8(sig[64]);
        if (uint256(s) > HALF_N) revert SignatureHighS();
        if (v != 27 && v != 28) revert SignatureBadV(v);
        address signer = ecrecover(hash, v, r, s);
        if (signer == address(0)) revert SignatureInvalid();
        return signer;
    }
}
