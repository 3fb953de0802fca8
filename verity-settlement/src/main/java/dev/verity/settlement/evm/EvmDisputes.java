package dev.verity.settlement.evm;

import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.receipt.ReceiptDomain;
import dev.verity.receipt.SignedReceipt;
import dev.verity.receipt.eth.EthAddress;
import dev.verity.receipt.eth.EthSignature;
import dev.verity.settlement.Deployment;
import dev.verity.settlement.SettlementException;
import dev.verity.settlement.TxResult;
import dev.verity.settlement.dispute.DisputeParameters;
import dev.verity.settlement.dispute.DisputePhase;
import dev.verity.settlement.dispute.DisputeState;
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
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Uint64;
import org.web3j.abi.datatypes.generated.Uint8;

/**
 * Client of DisputeManager.sol (docs/DISPUTES.md) for one account: challengers open disputes and
 * move, providers (operator or node key) move, anyone draws referees, relays signed verdicts and
 * calls timeouts.
 */
public final class EvmDisputes implements AutoCloseable {
  private final EvmChain chain;
  private final EthAddress disputeManager;
  private final ContractArtifact dm = ContractArtifact.load("DisputeManager");

  private EvmDisputes(EvmChain chain, EthAddress disputeManager, Deployment deployment) {
    this.chain = chain;
    this.disputeManager = disputeManager;
    chain.name(disputeManager, "DisputeManager");
    chain.name(deployment.nodeRegistry(), "NodeRegistry");
  }

  /** Connects to the DisputeManager at {@code disputeManager} of {@code deployment}. */
  public static EvmDisputes connect(
      String rpcUrl, Deployment deployment, EthAddress disputeManager, EvmKey key)
      throws SettlementException {
    Objects.requireNonNull(deployment, "deployment");
    Objects.requireNonNull(disputeManager, "disputeManager");
    EvmChain chain = EvmChain.connect(rpcUrl, key, Duration.ofMinutes(2));
    try {
      if (chain.chainId() != deployment.chainId()) {
        throw new SettlementException(
            "the endpoint serves chain "
                + chain.chainId()
                + " but the deployment is on chain "
                + deployment.chainId());
      }
      if (!chain.hasCode(disputeManager)) {
        throw new SettlementException(
            "no contract at the DisputeManager address " + disputeManager);
      }
      EvmDisputes d = new EvmDisputes(chain, disputeManager, deployment);
      EthAddress registry =
          AbiValues.address(chain.call(d.dm, disputeManager, "registry").getFirst());
      if (!registry.equals(deployment.nodeRegistry())) {
        throw new SettlementException(
            "DisputeManager "
                + disputeManager
                + " belongs to registry "
                + registry
                + ", not "
                + deployment.nodeRegistry());
      }
      return d;
    } catch (SettlementException | RuntimeException e) {
      chain.close();
      throw e;
    }
  }

  /**
   * Deploys DisputeManager for {@code deployment} and marks it a slasher of NodeRegistry; {@code
   * owner} must be the registry's owner. Returns the contract's address.
   */
  public static EthAddress deploy(
      String rpcUrl, Deployment deployment, EvmKey owner, DisputeParameters params)
      throws SettlementException {
    try (EvmChain chain = EvmChain.connect(rpcUrl, owner, Duration.ofMinutes(5))) {
      ContractArtifact dm = ContractArtifact.load("DisputeManager");
      ContractArtifact nodes = ContractArtifact.load("NodeRegistry");
      chain.name(deployment.nodeRegistry(), "NodeRegistry");
      EthAddress address =
          chain.deployedAddress(
              chain.deploy(
                  dm,
                  new Address(deployment.nodeRegistry().toString()),
                  new org.web3j.abi.datatypes.generated.Uint256(params.minBondWei()),
                  new Uint64(params.moveTimeoutSeconds()),
                  new Uint64(params.verdictTimeoutSeconds()),
                  new Uint8(params.refereeCount()),
                  new org.web3j.abi.datatypes.generated.Uint16(params.capBps()),
                  new org.web3j.abi.datatypes.generated.Uint16(params.refereeFeeBps())));
      chain.send(
          nodes,
          deployment.nodeRegistry(),
          "setSlasher",
          BigInteger.ZERO,
          new Address(address.toString()),
          new Bool(true));
      return address;
    }
  }

  public EthAddress address() {
    return disputeManager;
  }

  public EthAddress account() {
    return chain.account();
  }

  /** The EIP-712 domain referees sign verdicts in. */
  public ReceiptDomain verdictDomain() {
    return new ReceiptDomain(chain.chainId(), disputeManager);
  }

  /** Opens a dispute with {@code bondWei}; returns the dispute id and the transaction. */
  public Opened open(
      SignedReceipt receipt,
      Digest challengerRoot,
      long challengerLeaves,
      Digest challengerOutput,
      BigInteger bondWei)
      throws SettlementException {
    TxResult tx =
        chain.send(
            dm,
            disputeManager,
            "open",
            bondWei,
            EvmSettlement.receiptStruct(receipt.receipt()),
            EvmSettlement.signatureStruct(receipt),
            new Bytes32(challengerRoot.value().toByteArray()),
            new Uint64(challengerLeaves),
            new Bytes32(challengerOutput.value().toByteArray()));
    String id =
        tx.event("DisputeOpened")
            .orElseThrow(() -> new SettlementException("DisputeOpened event missing"))
            .arg("id");
    return new Opened(Bytes.fromHex(id.substring(2)), tx);
  }

  /** A dispute id and the transaction that opened it. */
  public record Opened(Bytes id, TxResult tx) {}

  /**
   * The id {@link #open} from this account gives a dispute over {@code receipt} with that root and
   * output ({@code DisputeManager.disputeId}): known before the transaction is sent, so a caller
   * can record the dispute first and find it again after a crash.
   */
  public Bytes disputeId(SignedReceipt receipt, Digest challengerRoot, Digest challengerOutput)
      throws SettlementException {
    return AbiValues.bytes(
        chain
            .call(
                dm,
                disputeManager,
                "disputeId",
                b32(receipt.receipt().signingDigest(receipt.domain())),
                new Address(chain.account().toString()),
                new Bytes32(challengerRoot.value().toByteArray()),
                new Bytes32(challengerOutput.value().toByteArray()))
            .getFirst());
  }

  /** A bisection move: the two children of the current subtree under this party's root. */
  public TxResult move(Bytes id, Bytes left, Bytes right) throws SettlementException {
    return chain.send(dm, disputeManager, "move", BigInteger.ZERO, b32(id), b32(left), b32(right));
  }

  /**
   * The provider's trace root for a dispute over a receipt issued without a trace (phase {@code
   * AWAITING_PROVIDER_TRACE}); sent from the node key or the operator account, over the dispute's
   * {@code leafCount} leaves.
   */
  public TxResult commitTrace(Bytes id, Digest root) throws SettlementException {
    return chain.send(
        dm, disputeManager, "commitTrace", BigInteger.ZERO, b32(id), b32(root.value()));
  }

  /**
   * The two roots of a deferred-trace dispute: the provider's (empty until it commits) and the
   * challenger's. Empty for a dispute over a receipt that carried its trace (its roots are in the
   * DisputeOpened event).
   */
  public Optional<DeferredRoots> deferredRoots(Bytes id) throws SettlementException {
    List<Type> v = chain.call(dm, disputeManager, "deferredRoots", b32(id));
    Bytes provider = AbiValues.bytes(v.get(0));
    Bytes challenger = AbiValues.bytes(v.get(1));
    if (challenger.equals(ZERO32)) {
      return Optional.empty();
    }
    return Optional.of(
        new DeferredRoots(
            provider.equals(ZERO32) ? Optional.empty() : Optional.of(new Digest(provider)),
            new Digest(challenger)));
  }

  /** Roots of a deferred-trace dispute; {@code provider} is empty until {@code commitTrace}. */
  public record DeferredRoots(Optional<Digest> provider, Digest challenger) {
    public DeferredRoots {
      Objects.requireNonNull(provider, "provider");
      Objects.requireNonNull(challenger, "challenger");
    }
  }

  private static final Bytes ZERO32 = Bytes.copyOf(new byte[32]);

  public TxResult timeout(Bytes id) throws SettlementException {
    return chain.send(dm, disputeManager, "timeout", BigInteger.ZERO, b32(id));
  }

  /**
   * Draws the referee set. Call once the latest block is past the dispute's {@code drawBlock} (the
   * pre-flight simulation runs at the latest block, which must already exceed it).
   */
  public TxResult drawReferees(Bytes id) throws SettlementException {
    return chain.send(dm, disputeManager, "drawReferees", BigInteger.ZERO, b32(id));
  }

  public TxResult redraw(Bytes id) throws SettlementException {
    return chain.send(dm, disputeManager, "redraw", BigInteger.ZERO, b32(id));
  }

  /** Relays a referee's signed verdict (winner 1 provider, 2 challenger, 3 both wrong). */
  public TxResult submitVerdict(Bytes id, int winner, EthSignature sig) throws SettlementException {
    return chain.send(
        dm,
        disputeManager,
        "submitVerdict",
        BigInteger.ZERO,
        b32(id),
        new Uint8(winner),
        new DynamicBytes(sig.toBytes().toByteArray()));
  }

  /** The contract's own verdict digest (tests compare it with {@code VerdictTypedData}). */
  public Bytes verdictDigest(Bytes id, int winner) throws SettlementException {
    return AbiValues.bytes(
        chain.call(dm, disputeManager, "verdictDigest", b32(id), new Uint8(winner)).getFirst());
  }

  public List<EthAddress> referees(Bytes id) throws SettlementException {
    List<EthAddress> out = new ArrayList<>();
    for (Object t :
        ((DynamicArray<?>) chain.call(dm, disputeManager, "referees", b32(id)).getFirst())
            .getValue()) {
      out.add(AbiValues.address((Type<?>) t));
    }
    return out;
  }

  /** Referee fees credited to {@code payee} (a referee node's operator) and not yet withdrawn. */
  public BigInteger refereeFeesWei(EthAddress payee) throws SettlementException {
    return uint(
        chain.call(dm, disputeManager, "refereeFees", new Address(payee.toString())).getFirst());
  }

  /** Sends {@code payee} its credited referee fees (anyone may relay; the wei go to payee). */
  public TxResult withdrawRefereeFees(EthAddress payee) throws SettlementException {
    return chain.send(
        dm, disputeManager, "withdrawRefereeFees", BigInteger.ZERO, new Address(payee.toString()));
  }

  /** The parameters this DisputeManager was deployed with, read from the contract. */
  public DisputeParameters parameters() throws SettlementException {
    return new DisputeParameters(
        uint(chain.call(dm, disputeManager, "minBond").getFirst()),
        uint(chain.call(dm, disputeManager, "moveTimeout").getFirst()).longValueExact(),
        uint(chain.call(dm, disputeManager, "verdictTimeout").getFirst()).longValueExact(),
        uint(chain.call(dm, disputeManager, "refereeCount").getFirst()).intValueExact(),
        uint(chain.call(dm, disputeManager, "capBps").getFirst()).intValueExact(),
        uint(chain.call(dm, disputeManager, "refereeFeeBps").getFirst()).intValueExact());
  }

  public BigInteger forfeitedWei() throws SettlementException {
    return (BigInteger) chain.call(dm, disputeManager, "forfeited").getFirst().getValue();
  }

  public DisputeState dispute(Bytes id) throws SettlementException {
    List<Type> v = chain.call(dm, disputeManager, "getDispute", b32(id));
    return new DisputeState(
        id,
        AbiValues.address(v.get(0)),
        AbiValues.address(v.get(1)),
        AbiValues.address(v.get(2)),
        AbiValues.bytes(v.get(3)),
        uint(v.get(4)),
        uint(v.get(5)).longValueExact(),
        uint(v.get(6)).longValueExact(),
        uint(v.get(7)).longValueExact(),
        uint(v.get(8)).intValueExact(),
        DisputePhase.values()[uint(v.get(9)).intValueExact()],
        Instant.ofEpochSecond(uint(v.get(10)).longValueExact()),
        uint(v.get(11)).longValueExact(),
        AbiValues.bytes(v.get(12)),
        AbiValues.bytes(v.get(13)),
        uint(v.get(14)).intValueExact());
  }

  public long blockNumber() throws SettlementException {
    return chain.blockNumber();
  }

  private static BigInteger uint(Type<?> t) {
    return (BigInteger) t.getValue();
  }

  private static Bytes32 b32(Bytes b) {
    if (b.length() != 32) {
      throw new IllegalArgumentException("expected 32 bytes, got " + b.length());
    }
    return new Bytes32(b.toByteArray());
  }

  @Override
  public void close() {
    chain.close();
  }

  @Override
  public String toString() {
    return "EvmDisputes[" + disputeManager + ", " + chain + "]";
  }
}
