package dev.verity.settlement;

import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.receipt.ReceiptKey;
import dev.verity.receipt.SignedReceipt;
import dev.verity.receipt.eth.EthAddress;
import dev.verity.receipt.eth.EthSignature;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Verity's economic state on a chain: nodes and stake, models, log anchors, escrow. Transactions
 * are sent from one account (the operator, publisher or client using this instance); each returns
 * once mined. A contract revert throws {@link SettlementException} with the decoded reason.
 */
public interface Settlement extends AutoCloseable {

  /** The deployment this instance talks to. */
  Deployment deployment();

  /** The account that signs and pays for transactions. */
  EthAddress account();

  /** The account's native balance. */
  BigInteger balance(EthAddress account) throws SettlementException;

  // ---------------------------------------------------------------- nodes

  /**
   * Registers node {@code node} (its receipt key address) with this account as operator and {@code
   * stakeWei} as stake; {@code nodeKeyProof} is {@link TypedData#signNodeKey}.
   */
  TxResult registerNode(
      EthAddress node,
      EthSignature nodeKeyProof,
      String endpoint,
      List<Digest> models,
      BigInteger stakeWei)
      throws SettlementException;

  /** Registers a node whose receipt key is at hand. */
  default TxResult registerNode(
      ReceiptKey nodeKey, String endpoint, List<Digest> models, BigInteger stakeWei)
      throws SettlementException {
    return registerNode(
        nodeKey.address(),
        TypedData.signNodeKey(nodeKey, deployment().receiptDomain(), account()),
        endpoint,
        models,
        stakeWei);
  }

  TxResult addStake(EthAddress node, BigInteger wei) throws SettlementException;

  TxResult requestUnbond(EthAddress node, BigInteger wei) throws SettlementException;

  /** Pays the unbonded stake to the operator once the unbonding delay has passed. */
  TxResult withdrawStake(EthAddress node) throws SettlementException;

  TxResult heartbeat(EthAddress node) throws SettlementException;

  TxResult updateEndpoint(EthAddress node, String endpoint) throws SettlementException;

  TxResult updateModels(EthAddress node, List<Digest> models) throws SettlementException;

  Optional<NodeInfo> node(EthAddress node) throws SettlementException;

  /** Every registered node, in registration order. */
  List<NodeInfo> nodes() throws SettlementException;

  /**
   * Every node registered as of the end of block {@code blockNumber}, in registration order, with
   * its stake, ban, models and heartbeat as they stood then: later registrations, bans and stake
   * changes are not visible. Deterministic for a mined block, so every reader of one block agrees;
   * the audit draw for a checkpoint anchored in block {@code a} uses {@code nodes(a)}. Needs an
   * endpoint that serves that block's state (an archive node; Anvil serves about the last 3,600
   * blocks' by default).
   */
  List<NodeInfo> nodes(long blockNumber) throws SettlementException;

  /** Nodes that list {@code model}; only active ones (see {@link #isActive}) when maxAge is set. */
  List<NodeInfo> nodesServing(Digest model, Optional<Duration> maxHeartbeatAge)
      throws SettlementException;

  /** Registered, not banned, stake at least the minimum, heartbeat within {@code maxAge}. */
  boolean isActive(EthAddress node, Duration maxHeartbeatAge) throws SettlementException;

  /**
   * {@link #isActive} as of the end of block {@code blockNumber}: that block's registry state, and
   * the heartbeat's age measured against that block's timestamp, not the current time.
   */
  boolean isActive(EthAddress node, Duration maxHeartbeatAge, long blockNumber)
      throws SettlementException;

  // ---------------------------------------------------------------- models

  TxResult registerModel(Digest manifestDigest, String name, String version, Bytes publisherKey)
      throws SettlementException;

  Optional<ModelInfo> model(Digest manifestDigest) throws SettlementException;

  Optional<ModelInfo> model(String name, String version) throws SettlementException;

  // ---------------------------------------------------------------- log anchors

  TxResult anchorCheckpoint(EthAddress node, long treeSize, Bytes rootHash)
      throws SettlementException;

  List<AnchoredCheckpoint> checkpoints(EthAddress node) throws SettlementException;

  /** Submits fork evidence; on success the node is slashed and banned, this account rewarded. */
  TxResult reportFork(ForkReport report) throws SettlementException;

  // ---------------------------------------------------------------- escrow

  TxResult deposit(BigInteger wei) throws SettlementException;

  BigInteger escrowBalance(EthAddress client) throws SettlementException;

  TxResult requestEscrowWithdrawal() throws SettlementException;

  TxResult withdrawEscrow() throws SettlementException;

  /** Signs, as this account (the client), a payment for one receipt. No transaction. */
  PaymentAuthorization authorizePayment(
      SignedReceipt receipt, BigInteger amountWei, Instant expiry);

  /** Redeems a payment for a receipt of a node this account operates. */
  TxResult redeem(SignedReceipt receipt, PaymentAuthorization payment) throws SettlementException;

  /** The EIP-712 digest of the receipt as the Escrow contract computes it (an eth_call). */
  Bytes onChainReceiptDigest(SignedReceipt receipt) throws SettlementException;

  @Override
  void close();
}
