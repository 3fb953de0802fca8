package dev.verity.node.audit;

import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.core.key.SigningKey;
import dev.verity.engine.EngineLimits;
import dev.verity.hub.manifest.ManifestFile;
import dev.verity.hub.manifest.ModelFormat;
import dev.verity.hub.manifest.ModelManifest;
import dev.verity.hub.manifest.SignedManifest;
import dev.verity.hub.store.BlobStore;
import dev.verity.hub.store.ModelStore;
import dev.verity.hub.store.StoreLimits;
import dev.verity.node.http.HttpApiServer;
import dev.verity.node.http.Json;
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

/**
 * A chain with nodes for auditor tests: Anvil with the settlement contracts and DisputeManager,
 * mnist-7 registered, and provider nodes with their own stores, receipt issuer, inference service
 * and public HTTP API (receipts, bundles, log tiles) on loopback, registered under an operator.
 */
public final class AuditChain implements AutoCloseable {
  public static final BigInteger ETH = BigInteger.TEN.pow(18);
  public static final BigInteger BOND = ETH.divide(BigInteger.TEN);
  public static final int CAP_BPS = 5_000;
  public static final long MOVE_TIMEOUT = 600;
  public static final SigningKey PUBLISHER = SigningKey.fromSeed(Bytes.copyOf(new byte[32]));

  /** A running Anvil with the settlement contracts and a DisputeManager deployed. */
  public record Contracts(AnvilProcess anvil, Deployment deployment, EthAddress dm) {}

  /**
   * Starts Anvil and deploys the contracts every node audit test uses: 1 ETH minimum stake, and a
   * DisputeManager with bond {@link #BOND}, move timeout {@link #MOVE_TIMEOUT}, 3 referees and cap
   * {@link #CAP_BPS}. Anvil is stopped again if a deployment fails.
   */
  public static Contracts deployContracts() throws Exception {
    AnvilProcess anvil = AnvilProcess.start();
    try {
      Deployment deployment =
          ContractDeployer.deploy(
              anvil.rpcUrl(), key(0), new DeploymentParameters(ETH, 1_000, 5_000, 500));
      EthAddress dm =
          ContractDeployer.deployDisputeManager(
              anvil.rpcUrl(),
              key(0),
              deployment,
              new DisputeParameters(BOND, MOVE_TIMEOUT, 600, 3, CAP_BPS));
      return new Contracts(anvil, deployment, dm);
    } catch (Exception e) {
      anvil.close();
      throw e;
    }
  }

  /** The signed manifest of the shared mnist-7 model as these tests publish it. */
  static SignedManifest mnistManifest(byte[] modelBytes) {
    Digest d = Digest.of(modelBytes);
    return SignedManifest.sign(
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
  }

  final Path dir;
  final AnvilProcess anvil;
  final Deployment deployment;
  final EthAddress dm;
  final byte[] modelBytes;
  final SignedManifest manifest;
  private final List<AutoCloseable> closing = new ArrayList<>();

  /** A provider node: its stores, inference service and public HTTP API on loopback. */
  record Provider(
      ReceiptIssuer issuer,
      InferenceService inference,
      ModelStore models,
      ReceiptKey key,
      EvmSettlement operator,
      URI url) {}

  public static EvmKey key(int i) {
    return EvmKey.fromMnemonic(AnvilProcess.MNEMONIC, i);
  }

  AuditChain(Path dir) throws Exception {
    this.dir = dir;
    modelBytes = Files.readAllBytes(NodeCheatTest.shared().resolve("models/mnist/mnist-7.onnx"));
    manifest = mnistManifest(modelBytes);
    Contracts c = deployContracts();
    anvil = c.anvil();
    deployment = c.deployment();
    dm = c.dm();
    try {
      EvmSettlement.connect(anvil.rpcUrl(), deployment, key(9))
          .registerModel(manifest.digest(), "mnist", "7", Digest.of(Bytes.utf8("pub")).value());
    } catch (Exception e) {
      anvil.close();
      throw e;
    }
  }

  @Override
  public void close() throws Exception {
    for (AutoCloseable c : closing.reversed()) {
      c.close();
    }
    anvil.close();
  }

  long blockNumber() throws Exception {
    String hex = Json.MAPPER.readTree(anvil.rpc("eth_blockNumber", "[]")).path("result").asText();
    return Long.parseLong(hex.substring(2), 16);
  }

  EvmSettlement registry() throws Exception {
    return EvmSettlement.connect(anvil.rpcUrl(), deployment, key(0));
  }

  /** A node of operator account {@code acct}, registered, serving under {@code cheat} (or none). */
  Provider provider(String name, int acct, String cheat) throws Exception {
    Path data = dir.resolve(name);
    BlobStore blobs = new BlobStore(data, StoreLimits.defaults());
    ModelStore models = new ModelStore(blobs);
    blobs.put(new ByteArrayInputStream(modelBytes), Digest.of(modelBytes), modelBytes.length);
    models.publish(manifest);
    ReceiptIssuer issuer = ReceiptIssuer.open(data, deployment.receiptDomain(), Clock.systemUTC());
    closing.add(issuer);
    InferenceService inference =
        new InferenceService(
            models,
            issuer,
            EngineLimits.DEFAULT,
            data,
            2,
            dev.verity.node.inference.TraceRule.AUTO,
            cheat == null
                ? java.util.Optional.empty()
                : java.util.Optional.of(
                    NodeCheat.inProcess(CheatStrategy.parse(cheat), java.util.Set.of())));
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
    return new Provider(
        issuer,
        inference,
        models,
        nodeKey,
        op,
        URI.create("http://127.0.0.1:" + server.address().getPort()));
  }

  /** The auditor of node {@code p}, sending from operator account {@code acct}; not started. */
  /** A DisputeManager client of Anvil account {@code acct}, for reading disputes. */
  EvmDisputes disputes(int acct) throws Exception {
    return EvmDisputes.connect(anvil.rpcUrl(), deployment, dm, key(acct));
  }

  /** {@link #auditor(Provider, int, DisputeEvidence)} keeping its state in {@code state}. */
  AutoAuditor auditor(Provider p, int acct, Path state, DisputeEvidence evidence) throws Exception {
    return auditor(p, acct, evidence).withState(state);
  }

  AutoAuditor auditor(Provider p, int acct, DisputeEvidence evidence) throws Exception {
    EvmDisputes c = EvmDisputes.connect(anvil.rpcUrl(), deployment, dm, key(acct));
    closing.add(c);
    AutoAuditor a =
        new AutoAuditor(
            EvmSettlement.connect(anvil.rpcUrl(), deployment, key(acct)),
            deployment,
            c,
            anvil.rpcUrl(),
            p.key().address(),
            m -> StoredTraces.modelBytes(p.models(), m),
            evidence,
            BOND,
            CAP_BPS);
    closing.add(a);
    return a;
  }

  /** Serves one sample:1 request on {@code engine} and anchors the provider's log. */
  SignedReceipt serveAndAnchor(Provider p, String engine, String requestId, long seed)
      throws Exception {
    InferenceService.Outcome out =
        p.inference()
            .infer(
                new InferenceService.Request(
                    "mnist@7",
                    engine,
                    DisputeResponderTest.input(seed),
                    VerificationPolicy.parse("sample:1"),
                    Optional.of(requestId)));
    anchor(p);
    return out.receipt().receipt();
  }

  /** Anchors the provider's current checkpoint, as a node does on its anchor interval. */
  void anchor(Provider p) throws Exception {
    long size = p.issuer().log().size();
    p.operator().anchorCheckpoint(p.key().address(), size, p.issuer().log().rootHash(size));
  }

  /**
   * Lets the dispute's move timeout pass and waits (mining) until {@code node} is banned: the party
   * that did not move lost by timeout and the winner claimed it.
   */
  void timeOutAndAwaitBan(EthAddress node) throws Exception {
    anvil.increaseTime(Duration.ofSeconds(MOVE_TIMEOUT + 1));
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(45))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              anvil.mine();
              return registry().node(node).orElseThrow().banned();
            });
  }
}
