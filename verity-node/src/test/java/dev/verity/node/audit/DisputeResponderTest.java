package dev.verity.node.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.verity.audit.bisect.TraceParty;
import dev.verity.audit.bisect.Verdict;
import dev.verity.audit.chain.OnChainDispute;
import dev.verity.audit.strict.StrictParties;
import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.core.key.SigningKey;
import dev.verity.engine.EngineLimits;
import dev.verity.engine.InferenceResult;
import dev.verity.engine.RunOptions;
import dev.verity.engine.Tensor;
import dev.verity.engine.TensorJson;
import dev.verity.engine.TraceCommitment;
import dev.verity.engine.TraceOpening;
import dev.verity.engine.strict.StrictEngine;
import dev.verity.engine.strict.StrictModel;
import dev.verity.hub.store.BlobStore;
import dev.verity.hub.store.ModelStore;
import dev.verity.hub.store.StoreLimits;
import dev.verity.log.bundle.BundleJson;
import dev.verity.node.VerityNode;
import dev.verity.node.config.NodeConfig;
import dev.verity.node.http.HttpApiServer;
import dev.verity.node.http.Json;
import dev.verity.node.http.Router;
import dev.verity.node.inference.InferenceService;
import dev.verity.node.log.LogApi;
import dev.verity.node.log.WitnessService;
import dev.verity.node.receipt.ReceiptIssuer;
import dev.verity.node.receipt.ReceiptsApi;
import dev.verity.receipt.Receipt;
import dev.verity.receipt.ReceiptKey;
import dev.verity.receipt.SignedReceipt;
import dev.verity.receipt.VerificationPolicy;
import dev.verity.receipt.eth.EthAddress;
import dev.verity.settlement.ChainEvent;
import dev.verity.settlement.Deployment;
import dev.verity.settlement.NodeInfo;
import dev.verity.settlement.anvil.AnvilProcess;
import dev.verity.settlement.dispute.DisputeParameters;
import dev.verity.settlement.dispute.DisputePhase;
import dev.verity.settlement.dispute.DisputeState;
import dev.verity.settlement.evm.EvmDisputes;
import dev.verity.settlement.evm.EvmKey;
import dev.verity.settlement.evm.EvmSettlement;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The provider-side responder on a real chain: a node that issued an honest strict receipt is
 * disputed by a challenger lying about one intermediate tensor. The node's {@link DisputeResponder}
 * finds the dispute from the chain's events, rebuilds its trace from the archived inputs and plays
 * every bisection round; referees convict the challenger and the node keeps its stake. The control:
 * a node whose receipt is just as honest but that does not answer loses its stake by timeout.
 */
class DisputeResponderTest {
  static final BigInteger ETH = AuditChain.ETH;
  static final BigInteger BOND = AuditChain.BOND;
  static final long MOVE_TIMEOUT = AuditChain.MOVE_TIMEOUT;
  static final int CAP_BPS = AuditChain.CAP_BPS;
  static final SigningKey PUBLISHER = AuditChain.PUBLISHER;

  @TempDir static Path dir;
  static AnvilProcess anvil;
  static Deployment deployment;
  static EthAddress dm;
  static EvmSettlement registry;
  static EvmDisputes challenger;
  static EvmDisputes relay;
  static final Map<EthAddress, ReceiptKey> refereeKeys = new HashMap<>();
  static byte[] modelBytes;
  static ReceiptIssuer issuer;
  static InferenceService inference;
  static ModelStore models;
  static DisputeEvidence providerEvidence = new DisputeEvidence();
  static DisputeEvidence challengerEvidence = new DisputeEvidence();
  static final List<AutoCloseable> closing = new ArrayList<>();
  static final List<RefereeDuty> referees = new ArrayList<>();

  /** Every honest node of the devnet: its key, operator account and evidence. */
  record Honest(ReceiptKey key, int acct, DisputeEvidence evidence) {}

  static final List<Honest> honestNodes = new ArrayList<>();
  static RefereeDuty.Endpoints endpoints;
  static Digest model;

  static URI serve(DisputeEvidence e) throws Exception {
    Router router = new Router();
    e.register(router);
    HttpApiServer server = HttpApiServer.start(router, "127.0.0.1", 0, 1 << 20);
    closing.add(server);
    return URI.create("http://127.0.0.1:" + server.address().getPort());
  }

  static EvmKey key(int i) {
    return EvmKey.fromMnemonic(AnvilProcess.MNEMONIC, i);
  }

  static Path shared() {
    String s = System.getProperty("verity.shared");
    return s != null ? Path.of(s) : Path.of("../../shared");
  }

  @BeforeAll
  static void start() throws Exception {
    modelBytes = Files.readAllBytes(shared().resolve("models/mnist/mnist-7.onnx"));
    AuditChain.Contracts contracts = AuditChain.deployContracts();
    anvil = contracts.anvil();
    deployment = contracts.deployment();
    dm = contracts.dm();
    registry = EvmSettlement.connect(anvil.rpcUrl(), deployment, key(0));
    challenger = EvmDisputes.connect(anvil.rpcUrl(), deployment, dm, key(7));
    relay = EvmDisputes.connect(anvil.rpcUrl(), deployment, dm, key(8));

    // The provider node's own stores, signing under the deployment's receipt domain.
    Path data = dir.resolve("provider");
    BlobStore blobs = new BlobStore(data, StoreLimits.defaults());
    models = new ModelStore(blobs);
    Digest d = Digest.of(modelBytes);
    blobs.put(new ByteArrayInputStream(modelBytes), d, modelBytes.length);
    models.publish(AuditChain.mnistManifest(modelBytes));
    issuer = ReceiptIssuer.open(data, deployment.receiptDomain(), Clock.systemUTC());
    inference = new InferenceService(models, issuer, EngineLimits.DEFAULT, data, 2);

    model = inference.resolve("mnist@7").digest();
    EvmSettlement.connect(anvil.rpcUrl(), deployment, key(9))
        .registerModel(model, "mnist", "7", Digest.of(Bytes.utf8("publisher")).value());
    ReceiptKey providerKey = ReceiptKey.load(data.resolve("keys").resolve("receipt.key"));
    EvmSettlement.connect(anvil.rpcUrl(), deployment, key(1))
        .registerNode(providerKey, serve(providerEvidence).toString(), List.of(model), ETH);
    honestNodes.add(new Honest(providerKey, 1, providerEvidence));
    // The challenger's operator (account 7) runs a node that serves its side to the referees.
    ReceiptKey challengerNode = ReceiptKey.generate(new SecureRandom());
    EvmSettlement.connect(anvil.rpcUrl(), deployment, key(7))
        .registerNode(challengerNode, serve(challengerEvidence).toString(), List.of(model), ETH);
    honestNodes.add(new Honest(challengerNode, 7, challengerEvidence));
    endpoints =
        account -> {
          List<URI> out = new ArrayList<>();
          for (NodeInfo n : registry.nodes()) {
            if (n.node().equals(account) || n.operator().equals(account)) {
              out.add(URI.create(n.endpoint()));
            }
          }
          return out;
        };
    for (int acct = 2; acct <= 5; acct++) {
      EvmSettlement op = EvmSettlement.connect(anvil.rpcUrl(), deployment, key(acct));
      ReceiptKey k = ReceiptKey.generate(new SecureRandom());
      DisputeEvidence ev = new DisputeEvidence();
      op.registerNode(k, serve(ev).toString(), List.of(model), ETH);
      refereeKeys.put(k.address(), k);
      honestNodes.add(new Honest(k, acct, ev));
    }
    // Every honest node serves as a referee when drawn.
    for (Honest h : honestNodes) {
      EvmDisputes c = EvmDisputes.connect(anvil.rpcUrl(), deployment, dm, key(h.acct()));
      closing.add(c);
      RefereeDuty duty =
          new RefereeDuty(
              c,
              URI.create(anvil.rpcUrl()),
              h.key(),
              deployment.receiptDomain(),
              endpoints,
              manifest -> StoredTraces.modelBytes(models, manifest),
              EngineLimits.DEFAULT);
      referees.add(duty.start(Duration.ofMillis(150)));
    }
  }

  @AfterAll
  static void stop() throws Exception {
    for (RefereeDuty r : referees) {
      r.close();
    }
    for (AutoCloseable c : closing) {
      c.close();
    }
    if (inference != null) {
      inference.close();
    }
    if (issuer != null) {
      issuer.close();
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
    return Map.of("Input3", Tensor.ofFloats(new long[] {1, 1, 28, 28}, px));
  }

  static TraceCommitment trace(Map<String, Tensor> in) throws Exception {
    try (StrictModel m = new StrictEngine().load(modelBytes, EngineLimits.DEFAULT)) {
      InferenceResult r = m.run(in, RunOptions.WITH_TRACE);
      return r.trace().orElseThrow();
    }
  }

  static TraceParty<TraceOpening> lieAbout(TraceCommitment trace, long j) {
    Tensor t = trace.open(j).tensor();
    byte[] b = t.data();
    b[b.length - 1] ^= 0x40;
    return StrictParties.lyingAbout(trace, j, Tensor.ofBytes(t.type(), t.shape(), b));
  }

  /** The challenger moves once per round, waiting for the round to advance in between. */
  static DisputeState challengerPlays(Bytes id, TraceParty<TraceOpening> liar) throws Exception {
    int moved = -1;
    while (true) {
      DisputeState s = relay.dispute(id);
      if (s.phase() != DisputePhase.BISECTING) {
        return s;
      }
      if (s.round() != moved) {
        OnChainDispute.move(challenger, id, liar);
        moved = s.round();
      }
      int round = moved;
      await()
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(50))
          .until(
              () -> {
                DisputeState x = relay.dispute(id);
                return x.phase() != DisputePhase.BISECTING || x.round() != round;
              });
    }
  }

  @Test
  void honestNode_disputedByLyingChallenger_answersEveryRound_andKeepsItsStake() throws Exception {
    Map<String, Tensor> in = input(11);
    InferenceService.Outcome out =
        inference.infer(
            new InferenceService.Request(
                "mnist@7",
                StrictEngine.ID,
                in,
                VerificationPolicy.parse("sample:0.1"),
                Optional.empty()));
    SignedReceipt receipt = out.receipt().receipt();
    EthAddress node = receipt.receipt().node();
    TraceCommitment trace = trace(in);
    long j = 3;
    TraceParty<TraceOpening> liar = lieAbout(trace, j);

    StoredTraces traces = new StoredTraces(issuer, inference, models, EngineLimits.DEFAULT);
    try (EvmDisputes providerClient = EvmDisputes.connect(anvil.rpcUrl(), deployment, dm, key(1));
        DisputeResponder responder =
            new DisputeResponder(
                    providerClient, URI.create(anvil.rpcUrl()), node, traces, providerEvidence)
                .start(Duration.ofMillis(100))) {
      Bytes id =
          OnChainDispute.open(challenger, receipt, liar, receipt.receipt().outputDigest(), BOND);
      // The lying challenger plays by the protocol: it serves its (lying) openings too.
      challengerEvidence.offer(id, receipt, in, liar);
      DisputeState pinned = challengerPlays(id, liar);
      assertThat(pinned.phase()).isIn(DisputePhase.AWAITING_DRAW, DisputePhase.REFEREEING);
      assertThat(pinned.start()).isEqualTo(j);
      // The responder draws the referees once a block past the draw block exists.
      anvil.mine();
      anvil.mine();
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> relay.dispute(id).phase() == DisputePhase.REFEREEING);
      // Nobody drives the verdict by hand: the drawn referee nodes fetch both sides' evidence,
      // re-execute the pinned node and submit signed verdicts.
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> relay.dispute(id).phase() == DisputePhase.RESOLVED);
      assertThat(relay.dispute(id).outcome()).isEqualTo(Verdict.PROVIDER_CORRECT.code);
      NodeInfo n = registry.node(node).orElseThrow();
      assertThat(n.stakeWei()).isEqualTo(ETH);
      assertThat(n.banned()).isFalse();
      await().atMost(Duration.ofSeconds(10)).until(() -> responder.openDisputes() == 0);
    }
  }

  @Test
  void honestNode_deferredTrace_commitsItsRootWhenDisputed_andWins() throws Exception {
    Map<String, Tensor> in = input(12);
    InferenceService.Outcome out =
        inference.infer(
            new InferenceService.Request(
                "mnist@7", StrictEngine.ID, in, VerificationPolicy.NONE, Optional.empty()));
    SignedReceipt receipt = out.receipt().receipt();
    // Policy none under the default trace rule: the receipt carries no trace.
    assertThat(receipt.receipt().traceLeaves()).isZero();
    assertThat(receipt.receipt().traceRoot()).isEqualTo(Receipt.NO_TRACE);
    EthAddress node = receipt.receipt().node();
    TraceCommitment trace = trace(in);
    long j = 5;
    TraceParty<TraceOpening> liar = lieAbout(trace, j);

    StoredTraces traces = new StoredTraces(issuer, inference, models, EngineLimits.DEFAULT);
    try (EvmDisputes providerClient = EvmDisputes.connect(anvil.rpcUrl(), deployment, dm, key(1));
        DisputeResponder responder =
            new DisputeResponder(
                    providerClient, URI.create(anvil.rpcUrl()), node, traces, providerEvidence)
                .start(Duration.ofMillis(100))) {
      // With no trace committed, only a different output is worth disputing.
      Bytes id =
          OnChainDispute.open(
              challenger, receipt, liar, Digest.of("a different output".getBytes()), BOND);
      challengerEvidence.offer(id, receipt, in, liar);
      // The responder rebuilds the trace from the archived inputs and commits its root.
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> relay.dispute(id).phase() != DisputePhase.AWAITING_PROVIDER_TRACE);
      assertThat(relay.deferredRoots(id).orElseThrow().provider()).contains(trace.root());
      DisputeState pinned = challengerPlays(id, liar);
      assertThat(pinned.start()).isEqualTo(j);
      anvil.mine();
      anvil.mine();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> relay.dispute(id).phase() == DisputePhase.RESOLVED);
      assertThat(relay.dispute(id).outcome()).isEqualTo(Verdict.PROVIDER_CORRECT.code);
      NodeInfo n = registry.node(node).orElseThrow();
      assertThat(n.stakeWei()).isEqualTo(ETH);
      assertThat(n.banned()).isFalse();
    }
  }

  @Test
  void honestNode_deferredTrace_challengerWithWrongLeafCount_losesAtTheReferees() throws Exception {
    Map<String, Tensor> in = input(13);
    SignedReceipt receipt =
        inference
            .infer(
                new InferenceService.Request(
                    "mnist@7", StrictEngine.ID, in, VerificationPolicy.NONE, Optional.empty()))
            .receipt()
            .receipt();
    assertThat(receipt.receipt().traceLeaves()).isZero();
    EthAddress node = receipt.receipt().node();
    TraceCommitment trace = trace(in);
    long wrongCount = trace.leafCount() - 2;
    TraceParty<TraceOpening> liar = StrictParties.resized(lieAbout(trace, 2), wrongCount);
    StoredTraces traces = new StoredTraces(issuer, inference, models, EngineLimits.DEFAULT);
    try (EvmDisputes providerClient = EvmDisputes.connect(anvil.rpcUrl(), deployment, dm, key(1));
        DisputeResponder responder =
            new DisputeResponder(
                    providerClient, URI.create(anvil.rpcUrl()), node, traces, providerEvidence)
                .start(Duration.ofMillis(100))) {
      Bytes id =
          OnChainDispute.open(
              challenger, receipt, liar, Digest.of("yet another output".getBytes()), BOND);
      challengerEvidence.offer(id, receipt, in, liar);
      assertThat(relay.dispute(id).leafCount()).isEqualTo(wrongCount);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> relay.dispute(id).phase() != DisputePhase.AWAITING_PROVIDER_TRACE);
      // The responder committed its own trace cut to the challenger's count.
      assertThat(relay.deferredRoots(id).orElseThrow().provider())
          .contains(StrictParties.resized(StrictParties.honest(trace), wrongCount).root());
      DisputeState pinned = challengerPlays(id, liar);
      assertThat(pinned.start()).isEqualTo(2);
      anvil.mine();
      anvil.mine();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> relay.dispute(id).phase() == DisputePhase.RESOLVED);
      assertThat(relay.dispute(id).outcome()).isEqualTo(Verdict.PROVIDER_CORRECT.code);
      assertThat(registry.node(node).orElseThrow().banned()).isFalse();
    }
  }

  @Test
  void cheatingNode_isAuditedByTheDrawnNode_disputedAndSlashed_withoutTheTestDrivingIt()
      throws Exception {
    // A node that returns a wrong output on every strict run (the fault-injection switch).
    Path data = dir.resolve("cheater");
    BlobStore blobs = new BlobStore(data, StoreLimits.defaults());
    ModelStore cheaterModels = new ModelStore(blobs);
    blobs.put(new ByteArrayInputStream(modelBytes), Digest.of(modelBytes), modelBytes.length);
    cheaterModels.publish(models.get(model).orElseThrow());
    ReceiptIssuer cheaterIssuer =
        ReceiptIssuer.open(data, deployment.receiptDomain(), Clock.systemUTC());
    closing.add(cheaterIssuer);
    InferenceService cheater =
        new InferenceService(
            cheaterModels,
            cheaterIssuer,
            EngineLimits.DEFAULT,
            data,
            2,
            dev.verity.node.inference.TraceRule.AUTO,
            java.util.Optional.of(
                NodeCheat.inProcess(CheatStrategy.WRONG_OUTPUT, java.util.Set.of())));
    closing.add(cheater);
    Router router = new Router();
    new ReceiptsApi(cheaterIssuer, cheaterModels, cheater).register(router);
    new LogApi(
            cheaterIssuer,
            WitnessService.open(data, cheaterIssuer.origin(), List.of(), Duration.ofHours(1)))
        .register(router);
    HttpApiServer server = HttpApiServer.start(router, "127.0.0.1", 0, 1 << 20);
    closing.add(server);
    EthAddress cheaterNode = cheaterIssuer.address();
    EvmSettlement cheaterOp = EvmSettlement.connect(anvil.rpcUrl(), deployment, key(6));
    cheaterOp.registerNode(
        ReceiptKey.load(data.resolve("keys").resolve("receipt.key")),
        "http://127.0.0.1:" + server.address().getPort(),
        List.of(model),
        ETH);

    // Every honest node runs the autonomous auditor.
    List<AutoAuditor> auditors = new ArrayList<>();
    for (Honest h : honestNodes) {
      EvmDisputes c = EvmDisputes.connect(anvil.rpcUrl(), deployment, dm, key(h.acct()));
      closing.add(c);
      auditors.add(
          new AutoAuditor(
                  EvmSettlement.connect(anvil.rpcUrl(), deployment, key(h.acct())),
                  deployment,
                  c,
                  anvil.rpcUrl(),
                  h.key().address(),
                  manifest -> StoredTraces.modelBytes(models, manifest),
                  h.evidence(),
                  BOND,
                  CAP_BPS)
              .start(Duration.ofMillis(150)));
    }
    try {
      InferenceService.Outcome out =
          cheater.infer(
              new InferenceService.Request(
                  "mnist@7",
                  StrictEngine.ID,
                  input(21),
                  VerificationPolicy.parse("sample:1"),
                  Optional.empty()));
      assertThat(out.receipt().receipt().receipt().traceLeaves()).isPositive();
      // The cheater anchors its log, as every node does on its anchor interval.
      long size = cheaterIssuer.log().size();
      cheaterOp.anchorCheckpoint(cheaterNode, size, cheaterIssuer.log().rootHash(size));
      anvil.mine(); // the draw block after the anchor

      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                anvil.mine();
                return auditors.stream().mapToInt(AutoAuditor::openDisputes).sum() == 1;
              });
      // The cheater cannot reproduce its receipt's trace, so it never moves; its move deadline
      // passes on the chain clock, and the auditor claims the win by timeout.
      Thread.sleep(500);
      anvil.increaseTime(Duration.ofSeconds(MOVE_TIMEOUT + 1));
      await()
          .atMost(Duration.ofSeconds(45))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                anvil.mine(); // blocks keep coming on a live chain; the draws need later ones
                return registry.node(cheaterNode).orElseThrow().banned();
              });
      NodeInfo n = registry.node(cheaterNode).orElseThrow();
      assertThat(n.stakeWei()).isZero();
      assertThat(auditors.stream().mapToInt(AutoAuditor::audits).sum()).isEqualTo(1);
      for (Honest h : honestNodes) {
        assertThat(registry.node(h.key().address()).orElseThrow().banned()).isFalse();
      }
    } finally {
      auditors.forEach(AutoAuditor::close);
    }
  }

  @Test
  void nodeStartedWithDisputeManagerConfigured_answersADisputeOverItsReceipt() throws Exception {
    // A whole node, on the chain only through its configuration: it registers itself (network
    // feature) and answers disputes (dispute-manager), with nothing wired by the test.
    Path data = dir.resolve("configured");
    Files.createDirectories(data);
    Path dep = data.resolve("deployment.json");
    deployment.write(dep);
    Path op = dir.resolve("op9.key");
    key(9).save(op);
    int port;
    try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
      port = free.getLocalPort();
    }
    Path props = dir.resolve("configured.properties");
    Files.writeString(
        props,
        "data-dir="
            + data
            + "\nport="
            + port
            + "\nchain-rpc-url="
            + anvil.rpcUrl()
            + "\ndeployment-file="
            + dep
            + "\noperator-key-file="
            + op
            + "\nanchor-interval-seconds=3600\nheartbeat-interval-seconds=3600\n"
            + "dispute-manager="
            + dm
            + "\n");
    try (VerityNode node = VerityNode.start(NodeConfig.load(Optional.of(props), Map.of()))) {
      URI base = node.url();
      HttpClient http = HttpClient.newHttpClient();
      Digest blob = Digest.of(modelBytes);
      assertThat(
              http.send(
                      HttpRequest.newBuilder(base.resolve("/v1/uploads/" + blob))
                          .PUT(HttpRequest.BodyPublishers.ofByteArray(modelBytes))
                          .build(),
                      HttpResponse.BodyHandlers.discarding())
                  .statusCode())
          .isIn(200, 201);
      assertThat(
              http.send(
                      HttpRequest.newBuilder(base.resolve("/v1/models"))
                          .POST(
                              HttpRequest.BodyPublishers.ofByteArray(
                                  models.get(model).orElseThrow().toJson()))
                          .build(),
                      HttpResponse.BodyHandlers.discarding())
                  .statusCode())
          .isIn(200, 201);
      Map<String, Tensor> in = input(31);
      var body = Json.MAPPER.createObjectNode();
      body.put("model", "mnist@7");
      body.put("engine", StrictEngine.ID);
      body.put("policy", "sample:0.1");
      body.set("inputs", TensorJson.toJson(in, true));
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(base.resolve("/v1/infer"))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      String requestId = Json.MAPPER.readTree(r.body()).get("requestId").asText();
      HttpResponse<String> b =
          http.send(
              HttpRequest.newBuilder(base.resolve("/v1/receipts/" + requestId + "/bundle")).build(),
              HttpResponse.BodyHandlers.ofString());
      SignedReceipt receipt =
          BundleJson.parse(Json.MAPPER.readTree(b.body()).path("receiptBundle").toString())
              .receipt();
      EthAddress self = receipt.receipt().node();
      await().atMost(Duration.ofSeconds(20)).until(() -> registry.node(self).isPresent());
      // The draw cap comes from the configured DisputeManager (CAP_BPS here), not the devnet's.
      HttpResponse<String> dec =
          http.send(
              HttpRequest.newBuilder(base.resolve("/v1/network/decentralization")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(dec.statusCode()).as(dec.body()).isEqualTo(200);
      assertThat(Json.MAPPER.readTree(dec.body()).get("capBps").asInt())
          .isEqualTo(CAP_BPS)
          .isNotEqualTo(DisputeParameters.DEVNET.capBps());

      TraceParty<TraceOpening> liar = lieAbout(trace(in), 2);
      Bytes id =
          OnChainDispute.open(challenger, receipt, liar, receipt.receipt().outputDigest(), BOND);
      challengerEvidence.offer(id, receipt, in, liar);
      DisputeState pinned = challengerPlays(id, liar);
      assertThat(pinned.start()).isEqualTo(2);
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(300))
          .until(
              () -> {
                anvil.mine();
                return relay.dispute(id).phase() == DisputePhase.RESOLVED;
              });
      assertThat(relay.dispute(id).outcome()).isEqualTo(Verdict.PROVIDER_CORRECT.code);
      NodeInfo n = registry.node(self).orElseThrow();
      assertThat(n.banned()).isFalse();
      assertThat(n.stakeWei()).isPositive();
    }
  }

  @Test
  void honestNode_withoutResponder_isSlashedByTimeout() throws Exception {
    // The same honest trace, served by a node that never answers: what the responder prevents.
    Map<String, Tensor> in = input(12);
    TraceCommitment trace = trace(in);
    TraceParty<TraceOpening> honest = StrictParties.honest(trace);
    ReceiptKey silent = ReceiptKey.generate(new SecureRandom());
    EvmSettlement.connect(anvil.rpcUrl(), deployment, key(6))
        .registerNode(
            silent, "http://127.0.0.1:9106", List.of(inference.resolve("mnist@7").digest()), ETH);
    Map<String, Tensor> outputs;
    try (StrictModel m = new StrictEngine().load(modelBytes, EngineLimits.DEFAULT)) {
      outputs = m.run(in, RunOptions.DEFAULT).outputs();
    }
    Digest output = dev.verity.engine.TensorEncoding.digest(outputs);
    SignedReceipt receipt =
        SignedReceipt.sign(
            dev.verity.receipt.Receipt.builder()
                .model(inference.resolve("mnist@7").digest())
                .engine(
                    StrictEngine.ID,
                    StrictEngine.VERSION,
                    Digest.of(Bytes.utf8("config")),
                    dev.verity.engine.NumericMode.BITWISE)
                .input(dev.verity.engine.TensorEncoding.digest(in))
                .output(output)
                .trace(honest.root(), honest.leafCount())
                .node(silent.address())
                .requestId("silent-1")
                .timeMillis(1_764_000_000_000L)
                .policy(VerificationPolicy.parse("sample:0.1"))
                .seed(0)
                .build(),
            deployment.receiptDomain(),
            silent);
    TraceParty<TraceOpening> liar = lieAbout(trace, 3);
    Bytes id = OnChainDispute.open(challenger, receipt, liar, output, BOND);
    OnChainDispute.move(challenger, id, liar);
    anvil.increaseTime(Duration.ofSeconds(MOVE_TIMEOUT + 1));
    ChainEvent resolved = relay.timeout(id).event("DisputeResolved").orElseThrow();
    assertThat(resolved.arg("outcome")).isEqualTo("2");
    assertThat(registry.node(silent.address()).orElseThrow().stakeWei()).isZero();
  }
}
