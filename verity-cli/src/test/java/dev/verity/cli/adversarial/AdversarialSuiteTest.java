package dev.verity.cli.adversarial;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verity.audit.bisect.BisectionParty;
import dev.verity.audit.bisect.TraceParty;
import dev.verity.audit.bisect.Verdict;
import dev.verity.audit.chain.OnChainDispute;
import dev.verity.audit.draw.AuditOutcome;
import dev.verity.audit.draw.Candidate;
import dev.verity.audit.reexec.AuditResult;
import dev.verity.audit.strict.StrictParties;
import dev.verity.audit.strict.StrictStepReferee;
import dev.verity.audit.tier.Assumptions;
import dev.verity.cli.devnet.AdversarialStats;
import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.engine.EngineLimits;
import dev.verity.engine.NumericMode;
import dev.verity.engine.Tensor;
import dev.verity.engine.TensorEncoding;
import dev.verity.engine.TraceOpening;
import dev.verity.engine.strict.StrictEngine;
import dev.verity.engine.strict.StrictModel;
import dev.verity.log.MemoryHashStore;
import dev.verity.log.MerkleTree;
import dev.verity.node.VerityNode;
import dev.verity.node.audit.AuditFeature;
import dev.verity.node.audit.CheatStrategy;
import dev.verity.node.audit.FaultInjector;
import dev.verity.node.audit.SampledAudit;
import dev.verity.node.config.NodeConfig;
import dev.verity.receipt.Receipt;
import dev.verity.receipt.ReceiptKey;
import dev.verity.receipt.SignedReceipt;
import dev.verity.receipt.VerificationPolicy;
import dev.verity.receipt.eth.EthAddress;
import dev.verity.settlement.Deployment;
import dev.verity.settlement.DeploymentParameters;
import dev.verity.settlement.NodeInfo;
import dev.verity.settlement.TxResult;
import dev.verity.settlement.anvil.AnvilProcess;
import dev.verity.settlement.dispute.DisputeParameters;
import dev.verity.settlement.dispute.DisputePhase;
import dev.verity.settlement.dispute.DisputeState;
import dev.verity.settlement.evm.ContractDeployer;
import dev.verity.settlement.evm.EvmDisputes;
import dev.verity.settlement.evm.EvmKey;
import dev.verity.settlement.evm.EvmSettlement;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Cheating providers against the sample:p audit path on a real chain, one strategy at a time. Each
 * request: strict-engine run by the (possibly cheating) provider, signed receipt appended to the
 * provider's RFC 9162 log, checkpoint anchored in LogAnchor (block a), audit draw from the hash of
 * block a + 1, stake-weighted capped auditor of another operator re-executes. The first mismatch
 * per strategy goes to DisputeManager: bond, bisection, referees drawn on-chain re-execute one node
 * and sign verdicts, slashing. Detection is checked against the probability the receipts state.
 */
class AdversarialSuiteTest {
  static final BigInteger ETH = BigInteger.TEN.pow(18);
  static final BigInteger BOND = ETH.divide(BigInteger.TEN);
  static final Digest MODEL = Digest.of(Bytes.utf8("mnist-7 manifest"));
  static final int CAP_BPS = 3_400;
  static final int N = 24;
  static final BigDecimal P = new BigDecimal("0.5");
  static final int PROVIDER_ACCT = 1;
  static final int COLLUDER_ACCT = 6;

  static AnvilProcess anvil;
  static Deployment deployment;
  static EthAddress dm;
  static EvmSettlement registry;
  static EvmSettlement providerOp;
  static EvmDisputes providerDisputes;
  static EvmDisputes relay;
  static byte[] modelBytes;
  static String inputName;
  static final Map<EthAddress, EvmDisputes> disputesByOperator = new HashMap<>();
  static final Map<EthAddress, ReceiptKey> nodeKeys = new HashMap<>();
  static final List<Row> rows = new ArrayList<>();

  record Row(
      CheatStrategy strategy,
      String label,
      String tier,
      int requests,
      int cheated,
      int audited,
      int detected,
      double statedDetect,
      BigInteger slashedWei,
      int falselyAccused,
      String dispute) {}

  static EvmKey key(int i) {
    return EvmKey.fromMnemonic(AnvilProcess.MNEMONIC, i);
  }

  static Path shared() {
    String p = System.getProperty("verity.shared");
    if (p != null && Files.isDirectory(Path.of(p))) {
      return Path.of(p);
    }
    return Path.of("..", "..", "shared").toAbsolutePath().normalize();
  }

  @BeforeAll
  static void start() throws Exception {
    modelBytes = Files.readAllBytes(shared().resolve("models/mnist/mnist-7.onnx"));
    try (StrictModel m = new StrictEngine().load(modelBytes, EngineLimits.DEFAULT)) {
      inputName = m.inputs().getFirst().name();
    }
    anvil = AnvilProcess.start();
    deployment =
        ContractDeployer.deploy(
            anvil.rpcUrl(), key(0), new DeploymentParameters(ETH, 1_000, 5_000, 500));
    dm =
        ContractDeployer.deployDisputeManager(
            anvil.rpcUrl(), key(0), deployment, new DisputeParameters(BOND, 600, 600, 3, CAP_BPS));
    EvmSettlement.connect(anvil.rpcUrl(), deployment, key(9))
        .registerModel(MODEL, "mnist", "7", Digest.of(Bytes.utf8("publisher")).value());
    // Honest auditor operators 2..5 (operator 2 runs two nodes, capped), and a colluder (6) that
    // audits honestly except for the provider it colludes with.
    for (int acct = 2; acct <= COLLUDER_ACCT; acct++) {
      EvmSettlement op = EvmSettlement.connect(anvil.rpcUrl(), deployment, key(acct));
      for (int n = 0; n < (acct == 2 ? 2 : 1); n++) {
        ReceiptKey k = ReceiptKey.generate(new SecureRandom());
        op.registerNode(
            k, "http://127.0.0.1:9" + acct + n + "0", List.of(MODEL), ETH.multiply(BigInteger.TWO));
        nodeKeys.put(k.address(), k);
      }
      disputesByOperator.put(
          key(acct).address(), EvmDisputes.connect(anvil.rpcUrl(), deployment, dm, key(acct)));
    }
    registry = EvmSettlement.connect(anvil.rpcUrl(), deployment, key(0));
    providerOp = EvmSettlement.connect(anvil.rpcUrl(), deployment, key(PROVIDER_ACCT));
    providerDisputes = EvmDisputes.connect(anvil.rpcUrl(), deployment, dm, key(PROVIDER_ACCT));
    disputesByOperator.put(key(PROVIDER_ACCT).address(), providerDisputes);
    relay = EvmDisputes.connect(anvil.rpcUrl(), deployment, dm, key(0));
  }

  @AfterAll
  static void stop() {
    if (!rows.isEmpty()) {
      printTable();
    }
    if (anvil != null) {
      anvil.close();
    }
  }

  static Map<String, Tensor> input(long seed) {
    float[] px = new float[28 * 28];
    Random r = new Random(seed);
    for (int i = 0; i < px.length; i++) {
      px[i] = r.nextFloat();
    }
    return Map.of(inputName, Tensor.ofFloats(new long[] {1, 1, 28, 28}, px));
  }

  /** Evidence an auditor found: what it needs to open and play the dispute. */
  record Evidence(
      SignedReceipt receipt,
      Map<String, Tensor> inputs,
      FaultInjector.Served served,
      AuditResult.Mismatch mismatch,
      Candidate auditor) {}

  /** The colluder's share of the capped audit weight an auditor of this provider is drawn from. */
  static double colluderFraction(EthAddress providerOperator) throws Exception {
    List<Candidate> eligible = new ArrayList<>();
    for (Candidate c : SampledAudit.candidates(registry.nodes(), MODEL)) {
      if (!c.operator().equals(providerOperator)) {
        eligible.add(c);
      }
    }
    return AdversarialStats.cappedShare(eligible, List.of(key(COLLUDER_ACCT).address()), CAP_BPS);
  }

  Row run(CheatStrategy strategy) throws Exception {
    ReceiptKey provider = ReceiptKey.generate(new SecureRandom());
    providerOp.registerNode(provider, "http://127.0.0.1:9100", List.of(MODEL), ETH);
    nodeKeys.put(provider.address(), provider);
    EthAddress providerOperator = key(PROVIDER_ACCT).address();
    double f =
        strategy == CheatStrategy.COLLUDING_AUDITOR ? colluderFraction(providerOperator) : 0.0;
    VerificationPolicy policy = SampledAudit.sample(P);
    double stated = SampledAudit.statedDetection(policy, new Assumptions(f, 8));
    MemoryHashStore log = new MemoryHashStore();
    MerkleTree tree = new MerkleTree(log);
    int cheated = 0;
    int audited = 0;
    int detected = 0;
    int falselyAccused = 0;
    Evidence first = null;
    try (FaultInjector node = new FaultInjector(modelBytes, strategy, EngineLimits.DEFAULT)) {
      for (int i = 0; i < N; i++) {
        Map<String, Tensor> in = input(strategy.ordinal() * 1000L + i);
        FaultInjector.Served s = node.serve(in);
        Receipt r =
            Receipt.builder()
                .model(MODEL)
                .engine(
                    StrictEngine.ID,
                    StrictEngine.VERSION,
                    Digest.of(Bytes.utf8("strict default config")),
                    NumericMode.BITWISE)
                .input(TensorEncoding.digest(in))
                .output(s.outputDigest())
                .trace(s.committed().root(), s.committed().leafCount())
                .node(provider.address())
                .requestId(strategy.id() + "-" + i)
                .timeMillis(1_764_000_000_000L + i)
                .policy(policy)
                .seed(0)
                .build();
        SignedReceipt sr = SignedReceipt.sign(r, deployment.receiptDomain(), provider);
        // Logged and anchored before the draw: the provider is committed when the lottery runs.
        log.append(sr.leafHash().toByteArray());
        TxResult anchored =
            providerOp.anchorCheckpoint(provider.address(), log.size(), tree.rootHash(log.size()));
        long anchorBlock = anchored.blockNumber();
        anvil.mine();
        long drawBlock = anchorBlock + 1;
        AuditOutcome o =
            SampledAudit.draw(
                sr,
                registry.nodes(),
                anchorBlock,
                SampledAudit.blockTime(anvil.rpcUrl(), anchorBlock),
                drawBlock,
                SampledAudit.blockHash(anvil.rpcUrl(), drawBlock),
                CAP_BPS);
        if (s.cheated()) {
          cheated++;
        }
        if (!(o instanceof AuditOutcome.Audited a)) {
          continue;
        }
        assertThat(a.auditor().operator()).isNotEqualTo(providerOperator);
        audited++;
        if (strategy == CheatStrategy.COLLUDING_AUDITOR
            && a.auditor().operator().equals(key(COLLUDER_ACCT).address())) {
          continue; // the colluder reports a match without re-executing
        }
        AuditResult res = SampledAudit.reexecute(modelBytes, in, sr);
        if (res instanceof AuditResult.Mismatch mm) {
          if (s.cheated()) {
            detected++;
          } else {
            falselyAccused++;
          }
          if (first == null) {
            first = new Evidence(sr, in, s, mm, a.auditor());
          }
        }
      }
    }
    BigInteger before = registry.node(provider.address()).orElseThrow().stakeWei();
    String disputeSummary = "none";
    if (first != null) {
      DisputeState end = dispute(first);
      disputeSummary = end.phase() + "/outcome " + end.outcome();
      if (end.outcome() != 2) {
        // The auditor's challenge failed: only acceptable if the provider was honest.
        assertThat(first.served().cheated()).as("a cheater escaped the dispute").isFalse();
      } else if (!first.served().cheated()) {
        falselyAccused++;
      }
    }
    NodeInfo after = registry.node(provider.address()).orElseThrow();
    Row row =
        new Row(
            strategy,
            strategy.id(),
            policy.text() + (f > 0 ? String.format(" (f=%.3f)", f) : ""),
            N,
            cheated,
            audited,
            detected,
            stated,
            before.subtract(after.stakeWei()),
            falselyAccused,
            disputeSummary);
    rows.add(row);
    return row;
  }

  /**
   * replicate:k against a coalition: the provider's operator and the colluding operator both return
   * the same wrong output whenever drawn; honest replicas return the real one. A request is cheated
   * when the draw includes a coalition replica and detected when it also includes an honest one
   * (the outputs disagree). The first disagreement is disputed by the honest replica.
   */
  Row runReplicas(int k) throws Exception {
    ReceiptKey provider = ReceiptKey.generate(new SecureRandom());
    providerOp.registerNode(provider, "http://127.0.0.1:9101", List.of(MODEL), ETH);
    nodeKeys.put(provider.address(), provider);
    EthAddress colluder = key(COLLUDER_ACCT).address();
    EthAddress providerOperator = key(PROVIDER_ACCT).address();
    List<Candidate> cands = SampledAudit.candidates(registry.nodes(), MODEL);
    double f = AdversarialStats.cappedShare(cands, List.of(providerOperator, colluder), CAP_BPS);
    VerificationPolicy policy = VerificationPolicy.parse("replicate:" + k);
    double stated = SampledAudit.statedDetection(policy, new Assumptions(f, 8));
    int cheated = 0;
    int detected = 0;
    int undetected = 0;
    int falselyAccused = 0;
    Evidence first = null;
    EthAddress firstCheater = null;
    try (FaultInjector liar =
            new FaultInjector(modelBytes, CheatStrategy.WRONG_OUTPUT, EngineLimits.DEFAULT);
        FaultInjector honest =
            new FaultInjector(modelBytes, CheatStrategy.HONEST, EngineLimits.DEFAULT)) {
      for (int i = 0; i < N; i++) {
        Map<String, Tensor> in = input(99_000L + i);
        anvil.mine();
        long b = relay.blockNumber();
        List<Candidate> replicas =
            dev.verity.audit.draw.AuditDraw.replicas(
                TensorEncoding.digest(in).value(),
                SampledAudit.blockHash(anvil.rpcUrl(), b),
                cands,
                k,
                CAP_BPS);
        assertThat(replicas.stream().map(Candidate::operator).distinct()).hasSize(k);
        List<Candidate> bad =
            replicas.stream()
                .filter(c -> c.operator().equals(providerOperator) || c.operator().equals(colluder))
                .toList();
        List<Candidate> good = replicas.stream().filter(c -> !bad.contains(c)).toList();
        if (bad.isEmpty()) {
          continue;
        }
        cheated++;
        if (good.isEmpty()) {
          undetected++;
          continue;
        }
        FaultInjector.Served lie = liar.serve(in);
        FaultInjector.Served truth = honest.serve(in);
        assertThat(lie.outputDigest()).isNotEqualTo(truth.outputDigest());
        detected++;
        if (first == null) {
          // Prefer the colluding operator's node: its dispute is played from its own account.
          Candidate cheater =
              bad.stream()
                  .filter(c -> c.operator().equals(colluder))
                  .findFirst()
                  .orElse(bad.getFirst());
          SignedReceipt sr =
              receipt(nodeKeys.get(cheater.node()), in, lie, policy, "replicate-" + i);
          AuditResult res = SampledAudit.reexecute(modelBytes, in, sr);
          first = new Evidence(sr, in, lie, (AuditResult.Mismatch) res, good.getFirst());
          firstCheater = cheater.node();
        }
      }
    }
    BigInteger slashed = BigInteger.ZERO;
    String summary = "none";
    if (first != null) {
      BigInteger before = registry.node(firstCheater).orElseThrow().stakeWei();
      DisputeState end = dispute(first);
      summary = end.phase() + "/outcome " + end.outcome();
      assertThat(end.outcome()).as("the coalition replica is convicted").isEqualTo(2);
      slashed = before.subtract(registry.node(firstCheater).orElseThrow().stakeWei());
      assertThat(slashed).as("the whole stake of the convicted replica").isEqualTo(before);
    }
    // The bound is unconditional: P(all k replicas dishonest) <= f^k per request.
    assertUndetectedWithinBound(undetected, N, Math.pow(f, k), "replicate:" + k);
    Row row =
        new Row(
            null,
            "colluding-replicas",
            "replicate:" + k + String.format(" (f=%.3f)", f),
            N,
            cheated,
            cheated,
            detected,
            stated,
            slashed,
            falselyAccused,
            summary);
    rows.add(row);
    return row;
  }

  static SignedReceipt receipt(
      ReceiptKey node,
      Map<String, Tensor> in,
      FaultInjector.Served s,
      VerificationPolicy policy,
      String requestId) {
    Receipt r =
        Receipt.builder()
            .model(MODEL)
            .engine(
                StrictEngine.ID,
                StrictEngine.VERSION,
                Digest.of(Bytes.utf8("strict default config")),
                NumericMode.BITWISE)
            .input(TensorEncoding.digest(in))
            .output(s.outputDigest())
            .trace(s.committed().root(), s.committed().leafCount())
            .node(node.address())
            .requestId(requestId)
            .timeMillis(1_764_000_000_000L)
            .policy(policy)
            .seed(0)
            .build();
    return SignedReceipt.sign(r, deployment.receiptDomain(), node);
  }

  /** Undetected cheats must not exceed what P(undetected) <= q allows (one-sided, 1e-4 tail). */
  static void assertUndetectedWithinBound(int x, int n, double q, String what) {
    assertThat(AdversarialStats.upperTail(x, n, q))
        .as("%s: %d undetected of %d exceeds the stated bound %.4f", what, x, n, q)
        .isGreaterThan(1e-4);
  }

  /**
   * An auditor that lies: it challenges an honest provider's receipt with a trace that lies about
   * one intermediate tensor. The dispute must clear the provider (stake intact, not banned).
   */
  Row runLyingAuditor() throws Exception {
    ReceiptKey provider = ReceiptKey.generate(new SecureRandom());
    providerOp.registerNode(provider, "http://127.0.0.1:9102", List.of(MODEL), ETH);
    nodeKeys.put(provider.address(), provider);
    VerificationPolicy policy = SampledAudit.sample(P);
    Map<String, Tensor> in = input(77_000L);
    int accusedAndSlashed = 0;
    String summary;
    BigInteger before = registry.node(provider.address()).orElseThrow().stakeWei();
    try (FaultInjector honest =
            new FaultInjector(modelBytes, CheatStrategy.HONEST, EngineLimits.DEFAULT);
        StrictModel m = new StrictEngine().load(modelBytes, EngineLimits.DEFAULT)) {
      FaultInjector.Served s = honest.serve(in);
      SignedReceipt sr = receipt(provider, in, s, policy, "lying-auditor");
      assertThat(SampledAudit.reexecute(modelBytes, in, sr)).isInstanceOf(AuditResult.Match.class);
      // The liar fabricates a "mismatch": the honest trace with one tensor flipped.
      var trace = m.run(in, dev.verity.engine.RunOptions.WITH_TRACE).trace().orElseThrow();
      long j = trace.leafCount() / 3;
      Tensor t = trace.open(j).tensor();
      byte[] d = t.data();
      d[0] ^= 0x10;
      TraceParty<TraceOpening> lie =
          StrictParties.lyingAbout(trace, j, Tensor.ofBytes(t.type(), t.shape(), d));
      Candidate liar =
          SampledAudit.candidates(registry.nodes(), MODEL).stream()
              .filter(c -> c.operator().equals(key(3).address()))
              .findFirst()
              .orElseThrow();
      DisputeState end = disputeWith(sr, in, s, liar, lie, s.outputDigest());
      summary = end.phase() + "/outcome " + end.outcome();
      assertThat(end.outcome()).as("the honest provider is cleared").isEqualTo(1);
    }
    NodeInfo after = registry.node(provider.address()).orElseThrow();
    if (after.stakeWei().compareTo(before) < 0 || after.banned()) {
      accusedAndSlashed++;
    }
    Row row =
        new Row(
            null,
            "lying-auditor",
            "challenge",
            1,
            0,
            1,
            0,
            Double.NaN,
            before.subtract(after.stakeWei()),
            accusedAndSlashed,
            summary);
    rows.add(row);
    return row;
  }

  /**
   * Before any provider joins: operator 2 stakes 4 ETH over two nodes, operators 3 to 6 stake 2 ETH
   * each (12 ETH). More than half needs 4 + 2 + 2 (three operators), more than a third 4 + 2 (two).
   * Served through a real node's endpoint and metrics, read from the chain.
   */
  void decentralizationEndpoint_readsTheChain() throws Exception {
    try (VerityNode n =
        VerityNode.start(
            NodeConfig.ephemeral(Files.createTempDirectory("verity-decentralization")),
            List.of(AuditFeature.over(registry::nodes, CAP_BPS)))) {
      java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
      String body =
          http.send(
                  java.net.http.HttpRequest.newBuilder(
                          n.url().resolve("/v1/network/decentralization"))
                      .build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString())
              .body();
      var j = new com.fasterxml.jackson.databind.ObjectMapper().readTree(body);
      assertThat(j.at("/compute/nakamotoOneHalf").asInt()).as(body).isEqualTo(3);
      assertThat(j.at("/compute/nakamotoOneThird").asInt()).isEqualTo(2);
      assertThat(j.at("/compute/operators").asInt()).isEqualTo(5);
      assertThat(j.at("/audit/nakamotoOneHalf").asInt()).isEqualTo(3);
      String metrics =
          http.send(
                  java.net.http.HttpRequest.newBuilder(n.url().resolve("/metrics")).build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString())
              .body();
      assertThat(metrics)
          .contains("verity_nakamoto_coefficient{kind=\"compute\"} 3")
          .contains("verity_nakamoto_coefficient{kind=\"audit\"} 3");
      System.out.println("decentralization at start: " + body);
    }
  }

  /** Opens the auditor's dispute and plays it to the end; returns the final state. */
  DisputeState dispute(Evidence e) throws Exception {
    return disputeWith(
        e.receipt(),
        e.inputs(),
        e.served(),
        e.auditor(),
        StrictParties.honest(e.mismatch().auditorTrace()),
        e.mismatch().auditorOutput());
  }

  /** The auditor opens with its committed trace and output; both sides play to the end. */
  DisputeState disputeWith(
      SignedReceipt receipt,
      Map<String, Tensor> inputs,
      FaultInjector.Served served,
      Candidate auditor,
      BisectionParty<TraceOpening> auditorParty,
      Digest auditorOutput)
      throws Exception {
    EvmDisputes challenger = disputesByOperator.get(auditor.operator());
    BisectionParty<TraceOpening> providerParty = served.committed();
    // The provider side moves from its own operator's account (a colluder's node is its own).
    EvmDisputes providerSide =
        disputesByOperator.get(SampledAudit.operatorOf(registry.nodes(), receipt.receipt().node()));
    Bytes id = OnChainDispute.open(challenger, receipt, auditorParty, auditorOutput, BOND);
    DisputeState s =
        OnChainDispute.bisect(id, providerSide, providerParty, challenger, auditorParty);
    if (s.phase() == DisputePhase.BISECTING) {
      // Someone stopped moving: the other side moves, the deadline passes, anyone calls timeout.
      OnChainDispute.move(challenger, id, auditorParty);
      anvil.increaseTime(Duration.ofSeconds(601));
      anvil.mine();
      relay.timeout(id);
      return relay.dispute(id);
    }
    if (s.phase() == DisputePhase.AWAITING_DRAW) {
      anvil.mine();
      anvil.mine();
      relay.drawReferees(id);
      s = relay.dispute(id);
    }
    StrictStepReferee referee = new StrictStepReferee(modelBytes, inputs, EngineLimits.DEFAULT);
    for (EthAddress ref : relay.referees(id)) {
      if (relay.dispute(id).phase() != DisputePhase.REFEREEING) {
        break;
      }
      Verdict v =
          OnChainDispute.verdict(
              s,
              providerParty.root(),
              auditorParty.root(),
              referee,
              providerParty,
              auditorParty,
              served.outputDigest(),
              auditorOutput);
      relay.submitVerdict(id, v.code, OnChainDispute.sign(nodeKeys.get(ref), relay, s, v));
    }
    return relay.dispute(id);
  }

  /** The observation must not be in either 1e-4 tail of Binomial(n, p). */
  static void assertWithinBinomial(int x, int n, double p, String what) {
    assertThat(AdversarialStats.smallerTail(x, n, p))
        .as("%s: %d of %d detected is implausible at stated P(detect) %.3f", what, x, n, p)
        .isGreaterThan(AdversarialStats.TAIL);
  }

  static void printTable() {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            "%n%-18s | %-16s | %7s | %7s | %8s | %14s | %20s | %8s | %s%n",
            "strategy",
            "tier",
            "cheated",
            "audited",
            "detected",
            "stated P(det)",
            "slashed wei",
            "falsely",
            "dispute"));
    for (Row r : rows) {
      b.append(
          String.format(
              "%-18s | %-16s | %7d | %7d | %8d | %14s | %20s | %8d | %s%n",
              r.label(),
              r.tier(),
              r.cheated(),
              r.audited(),
              r.detected(),
              Double.isNaN(r.statedDetect())
                  ? "-"
                  : String.format(java.util.Locale.ROOT, "%.3f", r.statedDetect()),
              r.slashedWei(),
              r.falselyAccused(),
              r.dispute()));
    }
    System.out.println(b);
  }

  void check(Row r) {
    assertThat(r.falselyAccused()).as("honest nodes falsely accused").isZero();
    if (r.strategy() == CheatStrategy.HONEST) {
      assertThat(r.cheated()).isZero();
      assertThat(r.detected()).isZero();
      assertThat(r.slashedWei()).isZero();
      assertThat(r.audited()).isPositive();
      return;
    }
    assertThat(r.cheated()).isPositive();
    assertWithinBinomial(r.detected(), r.cheated(), r.statedDetect(), r.strategy().id());
    if (r.detected() > 0) {
      assertThat(r.slashedWei()).as("convicted cheater slashed").isEqualTo(ETH);
    }
  }

  @Test
  void everyStrategy_detectedAtStatedRate_slashed_noHonestNodeAccused() throws Exception {
    decentralizationEndpoint_readsTheChain();
    int pooledCheated = 0;
    int pooledDetected = 0;
    for (CheatStrategy s : CheatStrategy.values()) {
      if (s == CheatStrategy.LYING_AUDITOR) {
        continue; // not a provider strategy: runLyingAuditor below
      }
      Row r = run(s);
      check(r);
      if (s != CheatStrategy.HONEST && s != CheatStrategy.COLLUDING_AUDITOR) {
        pooledCheated += r.cheated();
        pooledDetected += r.detected();
      }
    }
    // All honest-auditor rows together: one stated probability, a much tighter check.
    assertWithinBinomial(pooledDetected, pooledCheated, P.doubleValue(), "pooled sample rows");
    System.out.printf(
        "pooled sample:%s rows: %d of %d cheated requests detected (%.3f, stated %.3f)%n",
        P, pooledDetected, pooledCheated, pooledDetected / (double) pooledCheated, P.doubleValue());
    Row rep = runReplicas(2);
    assertThat(rep.falselyAccused()).isZero();
    assertThat(rep.cheated()).isPositive();
    if (rep.detected() > 0) {
      assertThat(rep.slashedWei()).isPositive();
    }
    Row liar = runLyingAuditor();
    assertThat(liar.falselyAccused()).isZero();
    assertThat(liar.slashedWei()).isZero();
    printTable();
    rows.clear();
  }
}
