// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {Eip712Sig} from "./Eip712Sig.sol";
import {INodeRegistry} from "./INodeRegistry.sol";
import {VerityReceipt} from "./VerityReceipt.sol";

/// Clients deposit native ETH; a node's operator is paid per receipt it shows together with the
/// client's EIP-712 Payment authorisation for that receipt. Clients withdraw what is left after a
/// delay, which gives nodes time to redeem outstanding authorisations.
contract Escrow {
    /// Exactly the Receipt type of verity-receipts (docs/RECEIPTS.md).
    bytes32 public constant RECEIPT_TYPEHASH = VerityReceipt.TYPEHASH;
    bytes32 public constant PAYMENT_TYPEHASH =
        keccak256("Payment(address client,address node,bytes32 receiptDigest,uint256 amount,uint64 expiry)");

    struct Payment {
        address client;
        address node;
        bytes32 receiptDigest;
        uint256 amount;
        uint64 expiry;
    }

    INodeRegistry public immutable registry;
    uint64 public immutable withdrawDelay;
    mapping(address => uint256) public balanceOf;
    mapping(address => uint64) public withdrawReadyAt;
    mapping(bytes32 => bool) public redeemed;

    event Deposited(address indexed client, uint256 amount, uint256 balance);
    event WithdrawalRequested(address indexed client, uint64 readyAt);
    event Withdrawn(address indexed client, uint256 amount);
    event Redeemed(
        bytes32 indexed receiptDigest, address indexed client, address indexed node, address operator, uint256 amount
    );

    error ZeroAmount();
    error NothingToWithdraw(address client);
    error WithdrawalNotRequested(address client);
    error WithdrawalNotReady(uint64 readyAt, uint256 time);
    error UnknownNode(address node);
    error NodeIsBanned(address node);
    error NotNodeOperator(address node, address caller, address operator);
    error ReceiptSignerMismatch(address recovered, address receiptNode);
    error PaymentNodeMismatch(address paymentNode, address receiptNode);
    error PaymentReceiptMismatch(bytes32 paymentReceiptDigest, bytes32 receiptDigest);
    error PaymentExpired(uint64 expiry, uint256 time);
    error PaymentSignerMismatch(address recovered, address client);
    error InsufficientBalance(address client, uint256 balance, uint256 amount);
    error AlreadyRedeemed(bytes32 receiptDigest);
    error TransferFailed(address to, uint256 amount);

    constructor(address registry_, uint64 withdrawDelay_) {
        registry = INodeRegistry(registry_);
        withdrawDelay = withdrawDelay_;
    }

    function deposit() external payable {
        if (msg.value == 0) revert ZeroAmount();
        balanceOf[msg.sender] += msg.value;
        emit Deposited(msg.sender, msg.value, balanceOf[msg.sender]);
    }

    /// Starts (or restarts) the withdrawal delay for the caller's whole balance.
    function requestWithdrawal() external {
        if (balanceOf[msg.sender] == 0) revert NothingToWithdraw(msg.sender);
        uint64 readyAt = uint64(block.timestamp) + withdrawDelay;
        withdrawReadyAt[msg.sender] = readyAt;
        emit WithdrawalRequested(msg.sender, readyAt);
    }

    /// Pays out the caller's unspent balance once the delay has passed.
    function withdraw() external {
        uint64 readyAt = withdrawReadyAt[msg.sender];
        if (readyAt == 0) revert WithdrawalNotRequested(msg.sender);
        if (block.timestamp < readyAt) revert WithdrawalNotReady(readyAt, block.timestamp);
        uint256 amount = balanceOf[msg.sender];
        if (amount == 0) revert NothingToWithdraw(msg.sender);
        balanceOf[msg.sender] = 0;
        withdrawReadyAt[msg.sender] = 0;
        emit Withdrawn(msg.sender, amount);
        _send(msg.sender, amount);
    }

    /// The node's operator redeems a client's Payment for a receipt the node signed.
    function redeem(
        VerityReceipt.Receipt calldata receipt,
        VerityReceipt.Signature calldata receiptSig,
        Payment calldata payment,
        bytes calldata clientSig
    ) external {
        bytes32 separator = registry.receiptDomainSeparator();
        bytes32 rd = Eip712Sig.digest(separator, VerityReceipt.hashStruct(receipt));
        address signer = VerityReceipt.signer(separator, rd, receiptSig);
        if (signer != receipt.node) revert ReceiptSignerMismatch(signer, receipt.node);
        address operator = registry.operatorOf(receipt.node);
        if (operator == address(0)) revert UnknownNode(receipt.node);
        if (operator != msg.sender) revert NotNodeOperator(receipt.node, msg.sender, operator);
        if (registry.isBanned(receipt.node)) revert NodeIsBanned(receipt.node);
        if (payment.node != receipt.node) revert PaymentNodeMismatch(payment.node, receipt.node);
        if (payment.receiptDigest != rd) revert PaymentReceiptMismatch(payment.receiptDigest, rd);
        if (block.timestamp > payment.expiry) revert PaymentExpired(payment.expiry, block.timestamp);
        if (payment.amount == 0) revert ZeroAmount();
        address client = Eip712Sig.recover(paymentDigest(payment), clientSig);
        if (client != payment.client) revert PaymentSignerMismatch(client, payment.client);
        if (redeemed[rd]) revert AlreadyRedeemed(rd);
        uint256 balance = balanceOf[client];
        if (balance < payment.amount) revert InsufficientBalance(client, balance, payment.amount);
        redeemed[rd] = true;
        balanceOf[client] = balance - payment.amount;
        emit Redeemed(rd, client, receipt.node, msg.sender, payment.amount);
        _send(msg.sender, payment.amount);
    }

    /// EIP-712 digest of a receipt in the receipt domain (NodeRegistry is its verifyingContract).
    function receiptDigest(VerityReceipt.Receipt calldata r) public view returns (bytes32) {
        return Eip712Sig.digest(registry.receiptDomainSeparator(), receiptStructHash(r));
    }

    /// Who signed `receipt` with `sig` (either format); reverts as redeem does on a malformed one.
    function receiptSigner(VerityReceipt.Receipt calldata receipt, VerityReceipt.Signature calldata sig)
        external
        view
        returns (address)
    {
        bytes32 separator = registry.receiptDomainSeparator();
        return VerityReceipt.signer(separator, Eip712Sig.digest(separator, VerityReceipt.hashStruct(receipt)), sig);
    }

    /// EIP-712 digest a node signs for a batch of `size` receipts with RFC 9162 root `root`.
    function batchDigest(bytes32 root, uint64 size) external view returns (bytes32) {
        return VerityReceipt.batchDigest(registry.receiptDomainSeparator(), root, size);
    }

    function receiptStructHash(VerityReceipt.Receipt calldata r) public pure returns (bytes32) {
        return VerityReceipt.hashStruct(r);
    }

    /// EIP-712 digest of a Payment in the escrow domain ("Verity", "1", chain, this contract).
    function paymentDigest(Payment calldata p) public view returns (bytes32) {
        bytes32 structHash =
            keccak256(abi.encode(PAYMENT_TYPEHASH, p.client, p.node, p.receiptDigest, p.amount, p.expiry));
        return Eip712Sig.digest(Eip712Sig.domainSeparator(address(this)), structHash);
    }

    function _send(address to, uint256 amount) private {
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert TransferFailed(to, amount);
    }
}
