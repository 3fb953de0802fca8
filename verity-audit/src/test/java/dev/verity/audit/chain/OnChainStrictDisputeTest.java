package dev.verity.audit.chain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verity.audit.TestFiles;
import dev.verity.audit.bisect.TraceParty;
import dev.verity.audit.bisect.Verdict;
import dev.verity.audit.draw.Candidate;
import dev.verity.audit.strict.StrictParties;
import dev.verity.audit.strict.StrictStepReferee;
import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.engine.EngineLimits;
import dev.verity.engine.InferenceResult;
import dev.verity.engine.NumericMode;
import dev.verity.engine.RunOptions;
import dev.verity.engine.Tensor;
import dev.verity.engine.TensorEncoding;
import dev.verity.engine.TraceCommitment;
import dev.verity.engine.TraceOpening;
import dev.verity.engine.strict.StrictEngine;
import dev.verity.engine.strict.StrictModel;
import dev.verity.receipt.Receipt;
import dev.verity.receipt.ReceiptKey;
import dev.verity.receipt.SignedReceipt;
import dev.verity.receipt.VerificationPolicy;
import dev.verity.receipt.eth.EthAddress;
import dev.verity.settlement.ChainEvent;
import dev.verity.settlement.Deployment;
import dev.verity.settlement.DeploymentParameters;
import dev.verity.settlement.NodeInfo;
import dev.verity.settlement.anvil.AnvilProcess;
import dev.verity.settlement.dispute.DisputeParameters;
import dev.verity.settlement.dispute.DisputePhase;
import dev.verity.settlement.dispute.DisputeState;
import dev.verity.settlement.evm.ContractDeployer;
import dev.verity.settlement.evm.EvmDisputes;
import dev.verity.settlement.evm.EvmKey;
import dev.verity.settlement.evm.EvmSettlement;
import java.math.BigInteger;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole path on a real chain: a strict-engine mnist-7 receipt whose trace lies about one
 * intermediate tensor, bisection on DisputeManager, a referee set drawn on-chain (and recomputed
 * off-chain), real single-node re-execution by each referee, signed verdicts, slashing.
 */
class OnChainStrictDisputeTest {
  static final BigInteger ETH = BigInteger.TEN.pow(18);
  static final BigInteger BOND = ETH.divide(BigInteger.TEN);
  static final Digest MODEL = Digest.of(Bytes.utf8("mnist-7 manifest"));
  static final int CAP_BPS = 5_000;
  static AnvilProcess anvil;
  static Deployment deployment;
  static EthAddress dm;
  static EvmSettlement registry;
  static EvmDisputes providerClient;
  static EvmDisputes challengerClient;
  static EvmDisputes relay;
  static final Map<EthAddress, ReceiptKey> refereeKeys = new HashMap<>();
  static TraceCommitment trace;
  static Digest output;
  static StrictStepReferee referee;

  static EvmKey key(int i) {
    return EvmKey.fromMnemonic(AnvilProcess.MNEMONIC, i);
  }

  @BeforeAll
  static void start() throws Exception {
    byte[] modelBytes = Files.readAllBytes(TestFiles.model("mnist/mnist-7.onnx"));
    float[] px = new float[28 * 28];
    Random r = new Random(3);
    for (int i = 0; i < px.length; i++) {
      px[i] = r.nextFloat();
    }
    Map<String, Tensor> input;
    try (StrictModel m = new StrictEngine().load(modelBytes, EngineLimits.DEFAULT)) {
      input = Map.of(m.inputs().getFirst().name(), Tensor.ofFloats(new long[] {1, 1, 28, 28}, px));
      InferenceResult res = m.run(input, RunOptions.WITH_TRACE);
      trace = res.trace().orElseThrow();
      output = TensorEncoding.digest(res.outputs());
    }
    referee = new StrictStepReferee(modelBytes, input, EngineLimits.DEFAULT);

    anvil = AnvilProcess.start();
    deployment =
        ContractDeployer.deploy(
            anvil.rpcUrl(), key(0), new DeploymentParameters(ETH, 1_000, 5_000, 500));
    dm =
        ContractDeployer.deployDisputeManager(
            anvil.rpcUrl(), key(0), deployment, new DisputeParameters(BOND, 600, 600, 3, CAP_BPS));
    EvmSettlement.connect(anvil.rpcUrl(), deployment, key(9))
        .registerModel(MODEL, "mnist", "7", Digest.of(Bytes.utf8("publisher")).value());
    // Four referee operators (accounts 2..5); operator 2 runs two nodes, so its weight is capped.
    for (int acct = 2; acct <= 5; acct++) {
      EvmSettlement op = EvmSettlement.connect(anvil.rpcUrl(), deployment, key(acct));
      for (int n = 0; n < (acct == 2 ? 2 : 1); n++) {
        ReceiptKey k = ReceiptKey.generate(new SecureRandom());
        op.registerNode(
            k,
            "http://127.0.0.1:9" + acct + n + "0",
            List.of(MODEL),
            ETH.multiply(BigInteger.valueOf(acct)));
        refereeKeys.put(k.address(), k);
      }
    }
    registry = EvmSettlement.connect(anvil.rpcUrl(), deployment, key(0));
    providerClient = EvmDisputes.connect(anvil.rpcUrl(), deployment, dm, key(1));
    challengerClient = EvmDisputes.connect(anvil.rpcUrl(), deployment, dm, key(7));
    relay = EvmDisputes.connect(anvil.rpcUrl(), deployment, dm, key(8));
  }

  @AfterAll
  static void stop() {
    if (anvil != null) {
      anvil.close();
    }
  }

  static ReceiptKey newProvider() throws Exception {
    ReceiptKey k = ReceiptKey.generate(new SecureRandom());
    EvmSettlement.connect(anvil.rpcUrl(), deployment, key(1))
        .registerNode(k, "http://127.0.0.1:9100", List.of(MODEL), ETH);
    return k;
  }

  static SignedReceipt receipt(ReceiptKey node, TraceParty<TraceOpening> committed) {
    Receipt r =
        Receipt.builder()
            .model(MODEL)
            .engine(
                StrictEngine.ID,
                StrictEngine.VERSION,
                Digest.of(Bytes.utf8("config")),
                NumericMode.BITWISE)
            .input(Digest.of(Bytes.utf8("input")))
            .output(output)
            .trace(committed.root(), committed.leafCount())
            .node(node.address())
            .requestId("mnist-" + node.address())
            .timeMillis(1_764_000_000_000L)
            .policy(VerificationPolicy.parse("sample:0.1"))
            .seed(0)
            .build();
    return SignedReceipt.sign(r, deployment.receiptDomain(), node);
  }

  /** A receipt issued without a trace (policy none): the trace is committed in a dispute. */
  static SignedReceipt deferredReceipt(ReceiptKey node, Digest claimedOutput) {
    Receipt r =
        Receipt.builder()
            .model(MODEL)
            .engine(
                StrictEngine.ID,
                StrictEngine.VERSION,
                Digest.of(Bytes.utf8("config")),
                NumericMode.BITWISE)
            .input(Digest.of(Bytes.utf8("input")))
            .output(claimedOutput)
            .node(node.address())
            .requestId("deferred-" + node.address())
            .timeMillis(1_764_000_000_000L)
            .policy(VerificationPolicy.NONE)
            .seed(0)
            .build();
    return SignedReceipt.sign(r, deployment.receiptDomain(), node);
  }

  static Bytes blockHash(long number) throws Exception {
    String b = anvil.rpc("eth_getBlockByNumber", "[\"0x" + Long.toHexString(number) + "\", false]");
    int i = b.indexOf("\"hash\":\"0x") + 10;
    return Bytes.fromHex(b.substring(i, i + 64));
  }

  /** Draws on-chain, checks the set against the off-chain draw, and collects a majority. */
  static ChainEvent referees(
      Bytes id, TraceParty<TraceOpening> p, TraceParty<TraceOpening> c, Verdict expected)
      throws Exception {
    return referees(id, p, c, expected, false);
  }

  /** As above; {@code deferred}: the receipt carried no trace (deferredVerdict). */
  static ChainEvent referees(
      Bytes id,
      TraceParty<TraceOpening> p,
      TraceParty<TraceOpening> c,
      Verdict expected,
      boolean deferred)
      throws Exception {
    anvil.mine();
    anvil.mine();
    relay.drawReferees(id);
    DisputeState s = relay.dispute(id);
    assertThat(s.phase()).isEqualTo(DisputePhase.REFEREEING);
    List<EthAddress> onChain = relay.referees(id);
    List<NodeInfo> nodes = registry.nodes();
    List<EthAddress> offChain =
        OnChainDispute.expectedReferees(
                nodes,
                ETH,
                s.providerOperator(),
                s.challenger(),
                blockHash(s.drawBlock()),
                id,
                3,
                CAP_BPS)
            .stream()
            .map(Candidate::node)
            .toList();
    assertThat(onChain).isEqualTo(offChain).hasSize(3);
    ChainEvent resolved = null;
    for (EthAddress ref : onChain) {
      // Each referee re-executes the single pinned node with the strict engine.
      Verdict v =
          deferred
              ? OnChainDispute.deferredVerdict(
                  s,
                  referee.leafCount(),
                  relay.deferredRoots(id).orElseThrow().provider().orElseThrow(),
                  c.root(),
                  referee,
                  p,
                  c,
                  output,
                  output)
              : OnChainDispute.verdict(s, p.root(), c.root(), referee, p, c, output, output);
      assertThat(v).isEqualTo(expected);
      var tx =
          relay.submitVerdict(id, v.code, OnChainDispute.sign(refereeKeys.get(ref), relay, s, v));
      if (tx.event("DisputeResolved").isPresent()) {
        resolved = tx.event("DisputeResolved").get();
        break;
      }
    }
    return resolved;
  }

  @Test
  void lyingProvider_pinnedToTheLyingNode_convictedByReferees_andSlashed() throws Exception {
    long j = trace.leafCount() / 2;
    Tensor t = trace.open(j).tensor();
    byte[] d = t.data();
    d[0] ^= 1;
    TraceParty<TraceOpening> liar =
        StrictParties.lyingAbout(trace, j, Tensor.ofBytes(t.type(), t.shape(), d));
    TraceParty<TraceOpening> honest = StrictParties.honest(trace);
    ReceiptKey provider = newProvider();
    Bytes id = OnChainDispute.open(challengerClient, receipt(provider, liar), honest, output, BOND);
    DisputeState pinned = OnChainDispute.bisect(id, providerClient, liar, challengerClient, honest);
    assertThat(pinned.phase()).isEqualTo(DisputePhase.AWAITING_DRAW);
    assertThat(pinned.start()).isEqualTo(j);
    ChainEvent resolved = referees(id, liar, honest, Verdict.CHALLENGER_CORRECT);
    assertThat(resolved).isNotNull();
    assertThat(resolved.arg("outcome")).isEqualTo("2");
    NodeInfo n = registry.node(provider.address()).orElseThrow();
    assertThat(n.stakeWei()).isZero();
    assertThat(n.banned()).isTrue();
  }

  @Test
  void honestProvider_lyingChallenger_losesBond_providerKeepsStake() throws Exception {
    long j = 1;
    Tensor t = trace.open(j).tensor();
    byte[] d = t.data();
    d[d.length - 1] ^= 0x40;
    TraceParty<TraceOpening> liar =
        StrictParties.lyingAbout(trace, j, Tensor.ofBytes(t.type(), t.shape(), d));
    TraceParty<TraceOpening> honest = StrictParties.honest(trace);
    ReceiptKey provider = newProvider();
    Bytes id = OnChainDispute.open(challengerClient, receipt(provider, honest), liar, output, BOND);
    DisputeState pinned = OnChainDispute.bisect(id, providerClient, honest, challengerClient, liar);
    assertThat(pinned.start()).isEqualTo(j);
    ChainEvent resolved = referees(id, honest, liar, Verdict.PROVIDER_CORRECT);
    assertThat(resolved.arg("outcome")).isEqualTo("1");
    assertThat(resolved.arg("bondTo")).isEqualTo(key(1).address().toString());
    NodeInfo n = registry.node(provider.address()).orElseThrow();
    assertThat(n.stakeWei()).isEqualTo(ETH);
    assertThat(n.banned()).isFalse();
  }

  @Test
  void deferredTrace_cheatingProvider_commitsItsTrace_andIsConvictedByBisectionAndReferees()
      throws Exception {
    long j = trace.leafCount() / 3;
    Tensor t = trace.open(j).tensor();
    byte[] d = t.data();
    d[0] ^= 2;
    TraceParty<TraceOpening> cheat =
        StrictParties.lyingAbout(trace, j, Tensor.ofBytes(t.type(), t.shape(), d));
    TraceParty<TraceOpening> honest = StrictParties.honest(trace);
    ReceiptKey provider = newProvider();
    SignedReceipt r = deferredReceipt(provider, Digest.of(Bytes.utf8("a wrong output")));
    assertThat(r.receipt().traceLeaves()).isZero();
    Bytes id = OnChainDispute.open(challengerClient, r, honest, output, BOND);
    assertThat(relay.dispute(id).phase()).isEqualTo(DisputePhase.AWAITING_PROVIDER_TRACE);
    // Having committed to a wrong output, the provider must commit some trace or lose by timeout.
    providerClient.commitTrace(id, cheat.root());
    DisputeState pinned =
        OnChainDispute.bisect(id, providerClient, cheat, challengerClient, honest);
    assertThat(pinned.start()).isEqualTo(j);
    ChainEvent resolved = referees(id, cheat, honest, Verdict.CHALLENGER_CORRECT, true);
    assertThat(resolved.arg("outcome")).isEqualTo("2");
    NodeInfo n = registry.node(provider.address()).orElseThrow();
    assertThat(n.stakeWei()).isZero();
    assertThat(n.banned()).isTrue();
  }

  @Test
  void deferredTrace_challengerWithAWrongLeafCount_losesToTheHonestProvider() throws Exception {
    long wrongCount = trace.leafCount() + 3;
    long j = 1;
    Tensor t = trace.open(j).tensor();
    byte[] d = t.data();
    d[d.length - 1] ^= 0x40;
    TraceParty<TraceOpening> liar =
        StrictParties.resized(
            StrictParties.lyingAbout(trace, j, Tensor.ofBytes(t.type(), t.shape(), d)), wrongCount);
    assertThat(liar.leafCount()).isEqualTo(wrongCount);
    ReceiptKey provider = newProvider();
    SignedReceipt r = deferredReceipt(provider, output);
    Bytes id =
        OnChainDispute.open(
            challengerClient, r, liar, Digest.of(Bytes.utf8("claimed other output")), BOND);
    assertThat(relay.dispute(id).leafCount()).isEqualTo(wrongCount);
    // The honest provider follows the challenger's count: its own trace, padded.
    TraceParty<TraceOpening> honest =
        StrictParties.resized(StrictParties.honest(trace), wrongCount);
    providerClient.commitTrace(id, honest.root());
    DisputeState pinned = OnChainDispute.bisect(id, providerClient, honest, challengerClient, liar);
    assertThat(pinned.start()).isEqualTo(j);
    // Judged as an eager dispute, the provider's opening fails with the wrong count too.
    assertThat(
            OnChainDispute.verdict(
                pinned, honest.root(), liar.root(), referee, honest, liar, output, output))
        .isNotEqualTo(Verdict.PROVIDER_CORRECT);
    ChainEvent resolved = referees(id, honest, liar, Verdict.PROVIDER_CORRECT, true);
    assertThat(resolved.arg("outcome")).isEqualTo("1");
    NodeInfo n = registry.node(provider.address()).orElseThrow();
    assertThat(n.stakeWei()).isEqualTo(ETH);
    assertThat(n.banned()).isFalse();
  }
}
