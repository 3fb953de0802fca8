// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// What LogAnchor, Escrow and (later) the dispute contract need from NodeRegistry.
interface INodeRegistry {
    function operatorOf(address node) external view returns (address);
    function isBanned(address node) external view returns (bool);
    function receiptDomainSeparator() external view returns (bytes32);
    function slash(address node, uint256 amount, address beneficiary) external returns (uint256 slashed, uint256 reward);
    function ban(address node) external;
}
