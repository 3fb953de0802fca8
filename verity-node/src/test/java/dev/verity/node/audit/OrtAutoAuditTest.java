package dev.verity.node.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.core.key.SigningKey;
import dev.verity.engine.EngineLimits;
import dev.verity.engine.LoadedModel;
import dev.verity.engine.RunOptions;
import dev.verity.engine.TensorEncoding;
import dev.verity.engine.ort.OrtEngine;
import dev.verity.hub.manifest.ManifestFile;
import dev.verity.hub.manifest.ModelFormat;
import dev.verity.hub.manifest.ModelManifest;
import dev.verity.hub.manifest.SignedManifest;
import dev.verity.hub.store.BlobStore;
import dev.verity.hub.store.ModelStore;
import dev.verity.hub.store.StoreLimits;
import dev.verity.node.http.HttpApiServer;
import dev.verity.node.http.Router;
import dev.verity.node.inference.InferenceService;
import dev.verity.node.log.LogApi;
import dev.verity.node.log.WitnessService;
import dev.verity.node.receipt.ReceiptIssuer;
import dev.verity.node.receipt.ReceiptsApi;
import dev.verity.receipt.ReceiptKey;
import dev.verity.receipt.SignedReceipt;
import dev.verity.receipt.VerificationPolicy;
import dev.verity.receipt.eth.EthAddress;
import dev.verity.settlement.Deployment;
import dev.verity.settlement.DeploymentParameters;
import dev.verity.settlement.anvil.AnvilProcess;
import dev.verity.settlement.dispute.DisputeParameters;
import dev.verity.settlement.evm.ContractDeployer;
import dev.verity.settlement.evm.EvmDisputes;
import dev.verity.settlement.evm.EvmKey;
import dev.verity.settlement.evm.EvmSettlement;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ORT receipts audited by the nodes themselves, on Anvil with real ONNX Runtime and mnist-7: three
 * provider nodes of three operators (one honest, one under {@code wrong-output}, one under the
 * one-ulp {@code output-noise}) serve a {@code sample:1} ORT request over loopback and anchor their
 * logs; every node runs the {@link AutoAuditor}. The drawn auditor of each receipt fetches its
 * bundle, re-runs the pinned ORT and compares within tolerance: the honest and the one-ulp receipts
 * agree, the wrong output is detected, and no dispute is opened on the chain for any of them.
 */
class OrtAutoAuditTest {
  static final BigInteger ETH = BigInteger.TEN.pow(18);
  static final BigInteger BOND = ETH.divide(BigInteger.TEN);
  static final int CAP_BPS = 5_000;
  static final SigningKey PUBLISHER = SigningKey.fromSeed(Bytes.copyOf(new byte[32]));

  @TempDir static Path dir;
  static AnvilProcess anvil;
  static Deployment deployment;
  static EthAddress dm;
  static byte[] modelBytes;
  static SignedManifest manifest;
  static final List<AutoCloseable> closing = new ArrayList<>();

  /** A provider node: its stores, inference service and public HTTP API on loopback. */
  record Provider(
      ReceiptIssuer issuer,
      InferenceService inference,
      ModelStore models,
      ReceiptKey key,
      EvmSettlement operator) {}

  static EvmKey key(int i) {
    return EvmKey.fromMnemonic(AnvilProcess.MNEMONIC, i);
  }

  @BeforeAll
  static void start() throws Exception {
    modelBytes = Files.readAllBytes(NodeCheatTest.shared().resolve("models/mnist/mnist-7.onnx"));
    Digest d = Digest.of(modelBytes);
    manifest =
        SignedManifest.sign(
            new ModelManifest(
                "mnist",
                "7",
                ModelFormat.ONNX,
                List.of(new ManifestFile("mnist-7.onnx", modelBytes.length, d)),
                null,
                "MIT",
                "MNIST",
                "",
                Instant.parse("2026-01-02T03:04:05Z"),
                PUBLISHER.verifyingKey()),
            PUBLISHER);
    anvil = AnvilProcess.start();
    deployment =
        ContractDeployer.deploy(
            anvil.rpcUrl(), key(0), new DeploymentParameters(ETH, 1_000, 5_000, 500));
    dm =
        ContractDeployer.deployDisputeManager(
            anvil.rpcUrl(), key(0), deployment, new DisputeParameters(BOND, 600, 600, 3, CAP_BPS));
    EvmSettlement.connect(anvil.rpcUrl(), deployment, key(9))
        .registerModel(manifest.digest(), "mnist", "7", Digest.of(Bytes.utf8("pub")).value());
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable c : closing.reversed()) {
      c.close();
    }
    if (anvil != null) {
      anvil.close();
    }
  }

  /** A node of operator account {@code acct}, registered, serving under {@code cheat} (or none). */
  static Provider provider(String name, int acct, String cheat) throws Exception {
    Path data = dir.resolve(name);
    BlobStore blobs = new BlobStore(data, StoreLimits.defaults());
    ModelStore models = new ModelStore(blobs);
    blobs.put(new ByteArrayInputStream(modelBytes), Digest.of(modelBytes), modelBytes.length);
    models.publish(manifest);
    ReceiptIssuer issuer = ReceiptIssuer.open(data, deployment.receiptDomain(), Clock.systemUTC());
    closing.add(issuer);
    InferenceService inference;
    if (cheat != null) {
      System.setProperty(NodeCheat.PROPERTY, cheat);
    }
    try {
      inference = new InferenceService(models, issuer, EngineLimits.DEFAULT, data, 2);
    } finally {
      System.clearProperty(NodeCheat.PROPERTY);
    }
    closing.add(inference);
    Router router = new Router();
    new ReceiptsApi(issuer, models, inference).register(router);
    new LogApi(issuer, WitnessService.open(data, issuer.origin(), List.of(), Duration.ofHours(1)))
        .register(router);
    HttpApiServer server = HttpApiServer.start(router, "127.0.0.1", 0, 1 << 20);
    closing.add(server);
    ReceiptKey nodeKey = ReceiptKey.load(data.resolve("keys").resolve("receipt.key"));
    EvmSettlement op = EvmSettlement.connect(anvil.rpcUrl(), deployment, key(acct));
    op.registerNode(
        nodeKey, "http://127.0.0.1:" + server.address().getPort(), List.of(manifest.digest()), ETH);
    return new Provider(issuer, inference, models, nodeKey, op);
  }

  static EvmDisputes auditorChain;

  static Digest honestOrt(long seed) throws Exception {
    try (LoadedModel m =
        new OrtEngine()
            .load(
                NodeCheatTest.shared().resolve("models/mnist/mnist-7.onnx"),
                EngineLimits.DEFAULT)) {
      return TensorEncoding.digest(
          m.run(DisputeResponderTest.input(seed), RunOptions.DEFAULT).outputs());
    }
  }

  static AutoAuditor auditor(Provider p, int acct) throws Exception {
    EvmDisputes c = EvmDisputes.connect(anvil.rpcUrl(), deployment, dm, key(acct));
    closing.add(c);
    auditorChain = c;
    AutoAuditor a =
        new AutoAuditor(
            EvmSettlement.connect(anvil.rpcUrl(), deployment, key(acct)),
            deployment,
            c,
            anvil.rpcUrl(),
            p.key().address(),
            m -> StoredTraces.modelBytes(p.models(), m),
            new DisputeEvidence(),
            BOND,
            CAP_BPS);
    closing.add(a);
    return a;
  }

  /** Serves one ORT sample:1 request and anchors the provider's log. */
  static SignedReceipt serveAndAnchor(Provider p, String requestId, long seed) throws Exception {
    InferenceService.Outcome out =
        p.inference()
            .infer(
                new InferenceService.Request(
                    "mnist@7",
                    OrtEngine.ID,
                    DisputeResponderTest.input(seed),
                    VerificationPolicy.parse("sample:1"),
                    Optional.of(requestId)));
    long size = p.issuer().log().size();
    p.operator().anchorCheckpoint(p.key().address(), size, p.issuer().log().rootHash(size));
    return out.receipt().receipt();
  }

  @Test
  void ortReceipts_auditedWithinTolerance_wrongOutputDetected_oneUlpAgrees_noDispute()
      throws Exception {
    Provider honest = provider("honest", 1, null);
    Provider wrong = provider("wrong", 2, "wrong-output");
    Provider noisy = provider("noisy", 3, "output-noise");
    Provider bystander = provider("bystander", 4, null);
    List<AutoAuditor> auditors = new ArrayList<>();
    int acct = 1;
    for (Provider p : List.of(honest, wrong, noisy, bystander)) {
      auditors.add(auditor(p, acct++));
    }
    for (AutoAuditor a : auditors) {
      a.start(Duration.ofMillis(150));
    }
    SignedReceipt h = serveAndAnchor(honest, "ort-honest", 41);
    SignedReceipt w = serveAndAnchor(wrong, "ort-wrong", 42);
    SignedReceipt n = serveAndAnchor(noisy, "ort-noisy", 43);
    for (SignedReceipt r : List.of(h, w, n)) {
      assertThat(r.receipt().engineId()).isEqualTo(OrtEngine.ID);
      assertThat(r.receipt().traceLeaves()).isZero(); // nothing to bisect
    }
    // The cheats changed what was served: those receipts sign tampered outputs.
    assertThat(w.receipt().outputDigest()).isNotEqualTo(honestOrt(42));
    assertThat(n.receipt().outputDigest()).isNotEqualTo(honestOrt(43));
    assertThat(h.receipt().outputDigest()).isEqualTo(honestOrt(41));

    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              anvil.mine(); // the draw needs the block after the anchor
              return findings(auditors).size() >= 3;
            });
    List<AutoAuditor.Audit> all = findings(auditors);
    assertThat(all).hasSize(3);
    assertThat(finding(all, "ort-honest").finding())
        .isEqualTo(AutoAuditor.Finding.WITHIN_TOLERANCE);
    assertThat(finding(all, "ort-noisy").finding()).isEqualTo(AutoAuditor.Finding.WITHIN_TOLERANCE);
    AutoAuditor.Audit detected = finding(all, "ort-wrong");
    assertThat(detected.finding()).isEqualTo(AutoAuditor.Finding.EXCEEDED_TOLERANCE);
    assertThat(detected.node()).isEqualTo(wrong.key().address());
    assertThat(detected.detail()).contains("output ");
    // Each receipt was audited by a node of another operator.
    for (int i = 0; i < auditors.size(); i++) {
      for (AutoAuditor.Audit a : auditors.get(i).findings()) {
        assertThat(a.node())
            .isNotEqualTo(List.of(honest, wrong, noisy, bystander).get(i).key().address());
      }
    }
    // No bisection dispute over an ORT receipt: DisputeManager logged nothing.
    assertThat(auditors.stream().mapToInt(AutoAuditor::openDisputes).sum()).isZero();
    long latest = auditorChain.blockNumber();
    assertThat(new ChainLogs(URI.create(anvil.rpcUrl())).logs(dm.toString(), 0, latest)).isEmpty();
  }

  static List<AutoAuditor.Audit> findings(List<AutoAuditor> auditors) {
    return auditors.stream().flatMap(a -> a.findings().stream()).toList();
  }

  static AutoAuditor.Audit finding(List<AutoAuditor.Audit> all, String requestId) {
    return all.stream().filter(a -> a.requestId().equals(requestId)).findFirst().orElseThrow();
  }
}
