package dev.verity.settlement.evm;

import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.log.InclusionProof;
import dev.verity.receipt.Receipt;
import dev.verity.receipt.SignedReceipt;
import dev.verity.receipt.eth.EthAddress;
import dev.verity.receipt.eth.EthSignature;
import dev.verity.settlement.AnchoredCheckpoint;
import dev.verity.settlement.Deployment;
import dev.verity.settlement.ForkReport;
import dev.verity.settlement.ModelInfo;
import dev.verity.settlement.NodeInfo;
import dev.verity.settlement.PaymentAuthorization;
import dev.verity.settlement.Settlement;
import dev.verity.settlement.SettlementException;
import dev.verity.settlement.TxResult;
import dev.verity.settlement.TypedData;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Bool;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.DynamicStruct;
import org.web3j.abi.datatypes.StaticStruct;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.abi.datatypes.generated.Uint64;
import org.web3j.abi.datatypes.generated.Uint8;
import org.web3j.crypto.Sign;

/**
 * {@link Settlement} over web3j: any EVM JSON-RPC endpoint, one account key (never logged), the
 * contract addresses of a {@link Deployment}.
 */
public final class EvmSettlement implements Settlement {
  private static final int PAGE = 100;

  private final EvmChain chain;
  private final Deployment deployment;
  private final ContractArtifact models = ContractArtifact.load("ModelRegistry");
  private final ContractArtifact nodes = ContractArtifact.load("NodeRegistry");
  private final ContractArtifact anchor = ContractArtifact.load("LogAnchor");
  private final ContractArtifact escrow = ContractArtifact.load("Escrow");

  private EvmSettlement(EvmChain chain, Deployment deployment) {
    this.chain = chain;
    this.deployment = deployment;
    chain.name(deployment.modelRegistry(), "ModelRegistry");
    chain.name(deployment.nodeRegistry(), "NodeRegistry");
    chain.name(deployment.logAnchor(), "LogAnchor");
    chain.name(deployment.escrow(), "Escrow");
  }

  /**
   * Connects and checks that the endpoint's chain id matches the deployment and that every contract
   * address holds code.
   */
  public static EvmSettlement connect(String rpcUrl, Deployment deployment, EvmKey key)
      throws SettlementException {
    return connect(rpcUrl, deployment, key, Duration.ofMinutes(2));
  }

  public static EvmSettlement connect(
      String rpcUrl, Deployment deployment, EvmKey key, Duration receiptTimeout)
      throws SettlementException {
    Objects.requireNonNull(deployment, "deployment");
    EvmChain chain = EvmChain.connect(rpcUrl, key, receiptTimeout);
    try {
      if (chain.chainId() != deployment.chainId()) {
        throw new SettlementException(
            "the endpoint "
                + rpcUrl
                + " serves chain "
                + chain.chainId()
                + " but the deployment is on chain "
                + deployment.chainId());
      }
      for (var e :
          List.of(
              new Object[] {"ModelRegistry", deployment.modelRegistry()},
              new Object[] {"NodeRegistry", deployment.nodeRegistry()},
              new Object[] {"LogAnchor", deployment.logAnchor()},
              new Object[] {"Escrow", deployment.escrow()})) {
        if (!chain.hasCode((EthAddress) e[1])) {
          throw new SettlementException(
              "no contract at the " + e[0] + " address " + e[1] + " on chain " + chain.chainId());
        }
      }
      return new EvmSettlement(chain, deployment);
    } catch (SettlementException | RuntimeException e) {
      chain.close();
      throw e;
    }
  }

  @Override
  public Deployment deployment() {
    return deployment;
  }

  @Override
  public EthAddress account() {
    return chain.account();
  }

  @Override
  public BigInteger balance(EthAddress account) throws SettlementException {
    return chain.balance(account);
  }

  // ---------------------------------------------------------------- nodes

  @Override
  public TxResult registerNode(
      EthAddress node,
      EthSignature nodeKeyProof,
      String endpoint,
      List<Digest> served,
      BigInteger stakeWei)
      throws SettlementException {
    return chain.send(
        nodes,
        deployment.nodeRegistry(),
        "register",
        stakeWei,
        address(node),
        new Utf8String(endpoint),
        digests(served),
        new DynamicBytes(nodeKeyProof.toBytes().toByteArray()));
  }

  @Override
  public TxResult addStake(EthAddress node, BigInteger wei) throws SettlementException {
    return chain.send(nodes, deployment.nodeRegistry(), "addStake", wei, address(node));
  }

  @Override
  public TxResult requestUnbond(EthAddress node, BigInteger wei) throws SettlementException {
    return chain.send(
        nodes,
        deployment.nodeRegistry(),
        "requestUnbond",
        BigInteger.ZERO,
        address(node),
        new Uint256(wei));
  }

  @Override
  public TxResult withdrawStake(EthAddress node) throws SettlementException {
    return chain.send(nodes, deployment.nodeRegistry(), "withdraw", BigInteger.ZERO, address(node));
  }

  @Override
  public TxResult heartbeat(EthAddress node) throws SettlementException {
    return chain.send(
        nodes, deployment.nodeRegistry(), "heartbeat", BigInteger.ZERO, address(node));
  }

  @Override
  public TxResult updateEndpoint(EthAddress node, String endpoint) throws SettlementException {
    return chain.send(
        nodes,
        deployment.nodeRegistry(),
        "updateEndpoint",
        BigInteger.ZERO,
        address(node),
        new Utf8String(endpoint));
  }

  @Override
  public TxResult updateModels(EthAddress node, List<Digest> served) throws SettlementException {
    return chain.send(
        nodes,
        deployment.nodeRegistry(),
        "updateModels",
        BigInteger.ZERO,
        address(node),
        digests(served));
  }

  /** Owner only: authorises (or revokes) a contract to slash and ban nodes, e.g. disputes. */
  public TxResult setSlasher(EthAddress slasher, boolean allowed) throws SettlementException {
    return chain.send(
        nodes,
        deployment.nodeRegistry(),
        "setSlasher",
        BigInteger.ZERO,
        address(slasher),
        new Bool(allowed));
  }

  @Override
  public Optional<NodeInfo> node(EthAddress node) throws SettlementException {
    boolean known = (Boolean) callNodes("isRegistered", address(node)).getFirst().getValue();
    return known ? Optional.of(nodeInfo(node, this::callNodes)) : Optional.empty();
  }

  @Override
  public List<NodeInfo> nodes() throws SettlementException {
    return nodes(this::callNodes);
  }

  @Override
  public List<NodeInfo> nodes(long blockNumber) throws SettlementException {
    return nodes(
        (fn, args) -> chain.callAt(blockNumber, nodes, deployment.nodeRegistry(), fn, args));
  }

  private List<NodeInfo> nodes(RegistryCall call) throws SettlementException {
    long count = uint(call.call("nodeCount").getFirst()).longValueExact();
    List<NodeInfo> out = new ArrayList<>();
    for (long offset = 0; offset < count; offset += PAGE) {
      for (EthAddress a :
          addresses(call.call("listNodes", new Uint256(offset), new Uint256(PAGE)).getFirst())) {
        out.add(nodeInfo(a, call));
      }
    }
    return out;
  }

  @Override
  public List<NodeInfo> nodesServing(Digest model, Optional<Duration> maxHeartbeatAge)
      throws SettlementException {
    Bytes32 m = new Bytes32(model.value().toByteArray());
    List<Type> r =
        maxHeartbeatAge.isPresent()
            ? callNodes("activeNodesServing", m, new Uint256(maxHeartbeatAge.get().toSeconds()))
            : callNodes("nodesServing", m);
    List<NodeInfo> out = new ArrayList<>();
    for (EthAddress a : addresses(r.getFirst())) {
      out.add(nodeInfo(a, this::callNodes));
    }
    return out;
  }

  @Override
  public boolean isActive(EthAddress node, Duration maxHeartbeatAge) throws SettlementException {
    return (Boolean)
        callNodes("isActive", address(node), new Uint256(maxHeartbeatAge.toSeconds()))
            .getFirst()
            .getValue();
  }

  @Override
  public boolean isActive(EthAddress node, Duration maxHeartbeatAge, long blockNumber)
      throws SettlementException {
    return (Boolean)
        chain
            .callAt(
                blockNumber,
                nodes,
                deployment.nodeRegistry(),
                "isActive",
                address(node),
                new Uint256(maxHeartbeatAge.toSeconds()))
            .getFirst()
            .getValue();
  }

  /** A read-only NodeRegistry call, at the latest block or pinned to one. */
  private interface RegistryCall {
    List<Type> call(String fn, Type<?>... args) throws SettlementException;
  }

  private NodeInfo nodeInfo(EthAddress node, RegistryCall call) throws SettlementException {
    List<Type> v = call.call("getNode", address(node));
    List<Digest> served = new ArrayList<>();
    for (Object t : ((DynamicArray<?>) v.get(8)).getValue()) {
      served.add(new Digest(AbiValues.bytes((Type<?>) t)));
    }
    return new NodeInfo(
        node,
        AbiValues.address(v.get(0)),
        (String) v.get(1).getValue(),
        uint(v.get(2)),
        uint(v.get(3)),
        seconds(v.get(4)),
        seconds(v.get(5)),
        seconds(v.get(6)),
        (Boolean) v.get(7).getValue(),
        served);
  }

  // ---------------------------------------------------------------- models

  @Override
  public TxResult registerModel(
      Digest manifestDigest, String name, String version, Bytes publisherKey)
      throws SettlementException {
    return chain.send(
        models,
        deployment.modelRegistry(),
        "register",
        BigInteger.ZERO,
        new Bytes32(manifestDigest.value().toByteArray()),
        new Utf8String(name),
        new Utf8String(version),
        bytes32(publisherKey));
  }

  @Override
  public Optional<ModelInfo> model(Digest digest) throws SettlementException {
    Bytes32 d = new Bytes32(digest.value().toByteArray());
    if (!(Boolean)
        chain.call(models, deployment.modelRegistry(), "isRegistered", d).getFirst().getValue()) {
      return Optional.empty();
    }
    List<Type> v = chain.call(models, deployment.modelRegistry(), "getModel", d);
    return Optional.of(
        new ModelInfo(
            digest,
            AbiValues.address(v.get(0)),
            AbiValues.bytes(v.get(1)),
            (String) v.get(2).getValue(),
            (String) v.get(3).getValue(),
            seconds(v.get(4))));
  }

  @Override
  public Optional<ModelInfo> model(String name, String version) throws SettlementException {
    Bytes d =
        AbiValues.bytes(
            chain
                .call(
                    models,
                    deployment.modelRegistry(),
                    "digestOf",
                    new Utf8String(name),
                    new Utf8String(version))
                .getFirst());
    if (d.equals(Bytes.copyOf(new byte[32]))) {
      return Optional.empty();
    }
    return model(new Digest(d));
  }

  // ---------------------------------------------------------------- log anchors

  @Override
  public TxResult anchorCheckpoint(EthAddress node, long treeSize, Bytes rootHash)
      throws SettlementException {
    return chain.send(
        anchor,
        deployment.logAnchor(),
        "anchor",
        BigInteger.ZERO,
        address(node),
        new Uint64(treeSize),
        bytes32(rootHash));
  }

  @Override
  public List<AnchoredCheckpoint> checkpoints(EthAddress node) throws SettlementException {
    long count =
        uint(chain
                .call(anchor, deployment.logAnchor(), "checkpointCount", address(node))
                .getFirst())
            .longValueExact();
    List<AnchoredCheckpoint> out = new ArrayList<>();
    for (long i = 0; i < count; i++) {
      List<Type> v =
          chain.call(anchor, deployment.logAnchor(), "checkpointAt", address(node), new Uint256(i));
      out.add(
          new AnchoredCheckpoint(
              i, uint(v.get(0)).longValueExact(), AbiValues.bytes(v.get(1)), seconds(v.get(2))));
    }
    return out;
  }

  @Override
  public TxResult reportFork(ForkReport report) throws SettlementException {
    Bytes zero = Bytes.copyOf(new byte[32]);
    return switch (report) {
      case ForkReport.SameSize s ->
          chain.send(
              anchor,
              deployment.logAnchor(),
              "reportFork",
              BigInteger.ZERO,
              address(s.node()),
              new Uint256(s.a()),
              new Uint256(s.b()),
              new Uint64(0),
              bytes32(zero),
              path(List.of()),
              bytes32(zero),
              path(List.of()));
      case ForkReport.DifferentLeaves d ->
          chain.send(
              anchor,
              deployment.logAnchor(),
              "reportFork",
              BigInteger.ZERO,
              address(d.node()),
              new Uint256(d.a()),
              new Uint256(d.b()),
              new Uint64(d.leafIndex()),
              bytes32(d.leafHashA()),
              path(d.proofA().path()),
              bytes32(d.leafHashB()),
              path(d.proofB().path()));
    };
  }

  /** LogAnchor's on-chain RFC 9162 evaluation of an inclusion proof (an eth_call). */
  public Bytes rootFromInclusionProof(InclusionProof proof, Bytes leafHash)
      throws SettlementException {
    return AbiValues.bytes(
        chain
            .call(
                anchor,
                deployment.logAnchor(),
                "rootFromInclusionProof",
                new Uint64(proof.index()),
                new Uint64(proof.treeSize()),
                bytes32(leafHash),
                path(proof.path()))
            .getFirst());
  }

  // ---------------------------------------------------------------- escrow

  @Override
  public TxResult deposit(BigInteger wei) throws SettlementException {
    return chain.send(escrow, deployment.escrow(), "deposit", wei);
  }

  @Override
  public BigInteger escrowBalance(EthAddress client) throws SettlementException {
    return uint(chain.call(escrow, deployment.escrow(), "balanceOf", address(client)).getFirst());
  }

  @Override
  public TxResult requestEscrowWithdrawal() throws SettlementException {
    return chain.send(escrow, deployment.escrow(), "requestWithdrawal", BigInteger.ZERO);
  }

  @Override
  public TxResult withdrawEscrow() throws SettlementException {
    return chain.send(escrow, deployment.escrow(), "withdraw", BigInteger.ZERO);
  }

  @Override
  public PaymentAuthorization authorizePayment(
      SignedReceipt receipt, BigInteger amountWei, Instant expiry) {
    Bytes receiptDigest = receipt.receipt().signingDigest(receipt.domain());
    EthAddress node = receipt.receipt().node();
    Bytes digest =
        TypedData.paymentDigest(
            deployment.escrowDomain(), account(), node, receiptDigest, amountWei, expiry);
    Sign.SignatureData sig =
        Sign.signMessage(digest.toByteArray(), chain.key().credentials().getEcKeyPair(), false);
    EthSignature signature =
        new EthSignature(Bytes.copyOf(sig.getR()), Bytes.copyOf(sig.getS()), sig.getV()[0] & 0xff);
    return new PaymentAuthorization(account(), node, receiptDigest, amountWei, expiry, signature);
  }

  @Override
  public TxResult redeem(SignedReceipt receipt, PaymentAuthorization payment)
      throws SettlementException {
    return chain.send(
        escrow,
        deployment.escrow(),
        "redeem",
        BigInteger.ZERO,
        receiptStruct(receipt.receipt()),
        signatureStruct(receipt),
        new StaticStruct(
            address(payment.client()),
            address(payment.node()),
            bytes32(payment.receiptDigest()),
            new Uint256(payment.amountWei()),
            new Uint64(payment.expiry().getEpochSecond())),
        new DynamicBytes(payment.signature().toBytes().toByteArray()));
  }

  @Override
  public Bytes onChainReceiptDigest(SignedReceipt receipt) throws SettlementException {
    return AbiValues.bytes(
        chain
            .call(escrow, deployment.escrow(), "receiptDigest", receiptStruct(receipt.receipt()))
            .getFirst());
  }

  @Override
  public void close() {
    chain.close();
  }

  @Override
  public String toString() {
    return "EvmSettlement[" + chain + "]";
  }

  // ---------------------------------------------------------------- encoding helpers

  static DynamicStruct receiptStruct(Receipt r) {
    return new DynamicStruct(
        new Bytes32(r.modelDigest().value().toByteArray()),
        new Utf8String(r.engineId()),
        new Utf8String(r.engineVersion()),
        new Bytes32(r.engineConfigDigest().value().toByteArray()),
        new Uint8(Receipt.numericModeCode(r.numericMode())),
        new Bytes32(r.inputDigest().value().toByteArray()),
        new Bytes32(r.outputDigest().value().toByteArray()),
        new Bytes32(r.traceRoot().value().toByteArray()),
        new Uint64(r.traceLeaves()),
        address(r.node()),
        new Utf8String(r.requestId()),
        new Uint64(r.timeMillis()),
        new Utf8String(r.policy().text()),
        new Uint64(new BigInteger(Long.toUnsignedString(r.seed()))));
  }

  /**
   * The receipt's {@code VerityReceipt.Signature}: {@code (sig, batchSize, batchIndex, batchPath)},
   * batchSize 0 and an empty path for a directly signed receipt.
   */
  static DynamicStruct signatureStruct(SignedReceipt r) {
    return r.batch()
        .map(b -> signatureStruct(r.signature(), b.size(), b.index(), b.path()))
        .orElseGet(() -> signatureStruct(r.signature(), 0, 0, List.of()));
  }

  static DynamicStruct signatureStruct(
      EthSignature sig, long batchSize, long batchIndex, List<Bytes> batchPath) {
    return new DynamicStruct(
        new DynamicBytes(sig.toBytes().toByteArray()),
        new Uint64(batchSize),
        new Uint64(batchIndex),
        path(batchPath));
  }

  private List<Type> callNodes(String fn, Type<?>... args) throws SettlementException {
    return chain.call(nodes, deployment.nodeRegistry(), fn, args);
  }

  private static Address address(EthAddress a) {
    return new Address(a.toString());
  }

  private static Bytes32 bytes32(Bytes b) {
    if (b.length() != 32) {
      throw new IllegalArgumentException("expected 32 bytes, got " + b.length());
    }
    return new Bytes32(b.toByteArray());
  }

  private static DynamicArray<Bytes32> digests(List<Digest> ds) {
    return new DynamicArray<>(
        Bytes32.class, ds.stream().map(d -> new Bytes32(d.value().toByteArray())).toList());
  }

  private static DynamicArray<Bytes32> path(List<Bytes> hashes) {
    return new DynamicArray<>(Bytes32.class, hashes.stream().map(EvmSettlement::bytes32).toList());
  }

  private static List<EthAddress> addresses(Type<?> array) {
    List<EthAddress> out = new ArrayList<>();
    for (Object t : ((DynamicArray<?>) array).getValue()) {
      out.add(AbiValues.address((Type<?>) t));
    }
    return out;
  }

  private static BigInteger uint(Type<?> t) {
    return (BigInteger) t.getValue();
  }

  private static Instant seconds(Type<?> t) {
    return Instant.ofEpochSecond(uint(t).longValueExact());
  }
}
