package dev.verity.cli.adversarial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.verity.client.InferRequest;
import dev.verity.client.InferenceReply;
import dev.verity.client.NetworkClient;
import dev.verity.client.VerityClient;
import dev.verity.client.tier.ReplicaDisagreementException;
import dev.verity.client.tier.ReplicatedInference;
import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.core.key.SigningKey;
import dev.verity.engine.Tensor;
import dev.verity.engine.TensorEncoding;
import dev.verity.hub.manifest.ManifestFile;
import dev.verity.hub.manifest.ModelFormat;
import dev.verity.hub.manifest.ModelManifest;
import dev.verity.hub.manifest.SignedManifest;
import dev.verity.log.verify.BundleVerifier;
import dev.verity.log.verify.VerifyOptions;
import dev.verity.node.VerityNode;
import dev.verity.node.config.NodeConfig;
import dev.verity.receipt.Receipt;
import dev.verity.receipt.eth.EthAddress;
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
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * replicate:k end to end through chain discovery: three nodes of three operators on a real Anvil,
 * each started from its configuration alone (it registers itself, lists mnist-7 once it holds it,
 * heartbeats), one of them with {@code audit-cheat=output-noise}. A {@link NetworkClient} that
 * knows only the RPC URL and the deployment discovers them in the NodeRegistry and runs
 * replicate:k: the replicas are of distinct operators in the stake-weighted order; replicas that
 * agree are accepted, any set containing the cheater is refused with every replica's verified
 * receipt.
 */
class ReplicatedNetworkTest {
  static final SigningKey PUBLISHER = SigningKey.fromSeed(Bytes.copyOf(new byte[32]));
  static final BigInteger ETH = BigInteger.TEN.pow(18);
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir static Path tmp;
  static AnvilProcess anvil;
  static Deployment deployment;
  static SignedManifest manifest;
  static byte[] model;
  static final List<VerityNode> nodes = new ArrayList<>();
  static final Map<EthAddress, String> operatorName = new HashMap<>();
  static EthAddress cheater;
  static EthAddress dm;
  static final Map<EthAddress, URI> urls = new HashMap<>();

  static EvmKey key(int i) {
    return EvmKey.fromMnemonic(AnvilProcess.MNEMONIC, i);
  }

  @BeforeAll
  static void start() throws Exception {
    Path shared = Path.of(System.getProperty("verity.shared", "../../shared")).toAbsolutePath();
    model = Files.readAllBytes(shared.resolve("models/mnist/mnist-7.onnx"));
    Digest blob = Digest.of(model);
    manifest =
        SignedManifest.sign(
            new ModelManifest(
                "mnist",
                "7",
                ModelFormat.ONNX,
                List.of(new ManifestFile("mnist-7.onnx", model.length, blob)),
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
    EvmSettlement.connect(anvil.rpcUrl(), deployment, key(9))
        .registerModel(manifest.digest(), "mnist", "7", Digest.of(Bytes.utf8("pub")).value());
    dm =
        ContractDeployer.deployDisputeManager(
            anvil.rpcUrl(), key(0), deployment, DisputeParameters.DEVNET);
    node("a", 1, null);
    node("b", 2, null);
    cheater = node("c", 3, "output-noise");
    EvmSettlement registry = EvmSettlement.connect(anvil.rpcUrl(), deployment, key(0));
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(300))
        .until(
            () ->
                registry.nodesServing(manifest.digest(), Optional.of(Duration.ofMinutes(5))).size()
                    == 3);
  }

  @AfterAll
  static void stop() {
    nodes.forEach(VerityNode::close);
    if (anvil != null) {
      anvil.close();
    }
  }

  /** A node of operator account {@code acct}, configured for the chain; returns its address. */
  static EthAddress node(String name, int acct, String cheat) throws Exception {
    Path data = tmp.resolve(name);
    Files.createDirectories(data);
    Path dep = data.resolve("deployment.json");
    deployment.write(dep);
    Path op = tmp.resolve(name + "-operator.key");
    key(acct).save(op);
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    Path props = tmp.resolve(name + ".properties");
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
            + "\nserve-models="
            + manifest.digest()
            + "\nheartbeat-interval-seconds=1\nanchor-interval-seconds=3600\n"
            + "dispute-manager="
            + dm
            + "\naudit-enabled=true\n"
            + (cheat == null ? "" : "audit-cheat=" + cheat + "\n"));
    VerityNode n = VerityNode.start(NodeConfig.load(Optional.of(props), Map.of()));
    nodes.add(n);
    Digest blob = Digest.of(model);
    HttpResponse<String> up =
        HTTP.send(
            HttpRequest.newBuilder(n.url().resolve("/v1/uploads/" + blob))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(model))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(up.statusCode()).as(up.body()).isIn(200, 201);
    HttpResponse<String> m =
        HTTP.send(
            HttpRequest.newBuilder(n.url().resolve("/v1/models"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(manifest.toJson()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(m.statusCode()).as(m.body()).isIn(200, 201);
    EthAddress address =
        EthAddress.parse(
            dev.verity.node.http.Json.MAPPER
                .readTree(
                    HTTP.send(
                            HttpRequest.newBuilder(n.url().resolve("/v1/node")).build(),
                            HttpResponse.BodyHandlers.ofString())
                        .body())
                .get("address")
                .asText());
    operatorName.put(key(acct).address(), name);
    urls.put(address, n.url());
    return address;
  }

  static InferRequest request(long seed) {
    float[] px = new float[28 * 28];
    Random r = new Random(seed);
    for (int i = 0; i < px.length; i++) {
      px[i] = r.nextFloat();
    }
    return InferRequest.of(
        "mnist@7", Map.of("Input3", Tensor.ofFloats(new long[] {1, 1, 28, 28}, px)));
  }

  static NetworkClient client(long seed) throws Exception {
    return NetworkClient.builder()
        .random(new SplittableRandom(seed))
        .connect(anvil.rpcUrl(), deployment);
  }

  /** The receipt verifies against its node's log key and the deployment's domain. */
  static void assertVerified(InferenceReply r, String policy) throws Exception {
    Receipt rec = r.receipt().receipt().receipt();
    assertThat(rec.policy().text()).isEqualTo(policy);
    assertThat(TensorEncoding.digest(r.outputs())).isEqualTo(rec.outputDigest());
    dev.verity.client.NodeIdentity signer = null;
    for (VerityNode n : nodes) {
      try (VerityClient c = VerityClient.connect(n.url())) {
        dev.verity.client.NodeIdentity id = c.node();
        if (EthAddress.parse(id.address()).equals(rec.node())) {
          signer = id;
        }
      }
    }
    assertThat(signer).as("a node of the network signed " + rec.node()).isNotNull();
    BundleVerifier.verify(
        r.receipt(), VerifyOptions.trusting(signer.logKey()).domain(deployment.receiptDomain()));
  }

  @Test
  void replicate2_acceptsAgreeingDistinctOperators_refusesTheCheater_whoseReceiptIsDisputed()
      throws Exception {
    int agreed = 0;
    int refused = 0;
    try (NetworkClient net = client(7)) {
      EvmSettlement registry = EvmSettlement.connect(anvil.rpcUrl(), deployment, key(0));
      Map<EthAddress, EthAddress> operatorOf = new HashMap<>();
      for (NodeInfo n : registry.nodes()) {
        operatorOf.put(n.node(), n.operator());
      }
      for (int i = 0; i < 8; i++) {
        InferRequest req = request(100 + i);
        try {
          ReplicatedInference.Replicated r = ReplicatedInference.run(net, req, 2);
          agreed++;
          Set<EthAddress> ops = new HashSet<>();
          for (InferenceReply reply : r.replies()) {
            EthAddress node = reply.receipt().receipt().receipt().node();
            assertThat(node).isNotEqualTo(cheater);
            ops.add(operatorOf.get(node));
            assertVerified(reply, "replicate:2");
            assertThat(reply.receipt().receipt().receipt().outputDigest())
                .isEqualTo(r.outputDigest());
          }
          assertThat(ops).hasSize(2);
        } catch (ReplicaDisagreementException e) {
          refused++;
          // Both receipts come back: each valid for what its node returned, and they contradict.
          assertThat(e.replies()).hasSize(2);
          Set<EthAddress> replicaNodes = new HashSet<>();
          Set<EthAddress> ops = new HashSet<>();
          for (InferenceReply reply : e.replies()) {
            assertVerified(reply, "replicate:2");
            replicaNodes.add(reply.receipt().receipt().receipt().node());
            ops.add(operatorOf.get(reply.receipt().receipt().receipt().node()));
          }
          assertThat(replicaNodes).contains(cheater);
          assertThat(ops).hasSize(2);
          assertThat(Set.copyOf(e.outputByNode().values())).hasSize(2);
          assertThat(e.replies().get(0).requestId()).isEqualTo(e.replies().get(1).requestId());
        }
      }
      // replicate:3 over three operators always includes the cheater.
      ReplicaDisagreementException three =
          (ReplicaDisagreementException)
              org.assertj.core.api.Assertions.catchThrowable(
                  () -> ReplicatedInference.run(net, request(200), 3));
      assertThat(three).isNotNull();
      assertThat(three.replies()).hasSize(3);
      assertThat(three.outputByNode()).containsKey(cheater.toString());
      // An honest replica's operator challenges the cheater's receipt through its own node: the
      // node re-executes, disputes it on DisputeManager and plays it; the cheater cannot move.
      InferenceReply lie =
          three.replies().stream()
              .filter(x -> x.receipt().receipt().receipt().node().equals(cheater))
              .findFirst()
              .orElseThrow();
      EthAddress honestNode =
          three.replies().stream()
              .map(x -> x.receipt().receipt().receipt().node())
              .filter(a -> !a.equals(cheater))
              .findFirst()
              .orElseThrow();
      var body = dev.verity.node.http.Json.MAPPER.createObjectNode();
      body.put("peer", urls.get(cheater).toString());
      body.put("requestId", lie.requestId());
      HttpResponse<String> ch =
          HTTP.send(
              HttpRequest.newBuilder(urls.get(honestNode).resolve("/v1/challenge"))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(ch.statusCode()).as(ch.body()).isEqualTo(200);
      var finding = dev.verity.node.http.Json.MAPPER.readTree(ch.body());
      assertThat(finding.get("finding").asText()).isEqualTo("MISMATCH_DISPUTED");
      assertThat(finding.get("receiptId").asText())
          .isEqualTo(lie.receipt().receipt().id().toString());
      // Asked the other way round, the cheater's node finds the honest receipt reproduces.
      body.put("peer", urls.get(honestNode).toString());
      HttpResponse<String> back =
          HTTP.send(
              HttpRequest.newBuilder(urls.get(cheater).resolve("/v1/challenge"))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(back.statusCode()).as(back.body()).isEqualTo(200);
      assertThat(dev.verity.node.http.Json.MAPPER.readTree(back.body()).get("finding").asText())
          .isEqualTo("MATCH");
      // Each node lists what its auditor found, filtered by node and finding.
      var found = getJson(urls.get(honestNode).resolve("/v1/audit/findings?node=" + cheater));
      assertThat(found.get("matching").asInt()).as(found.toString()).isEqualTo(1);
      assertThat(found.get("openDisputes").asInt()).isEqualTo(1);
      assertThat(found.at("/findings/0/receiptId").asText())
          .isEqualTo(lie.receipt().receipt().id().toString());
      assertThat(found.at("/findings/0/finding").asText()).isEqualTo("MISMATCH_DISPUTED");
      assertThat(
              getJson(urls.get(honestNode).resolve("/v1/audit/findings?finding=match"))
                  .get("matching")
                  .asInt())
          .isZero();
      assertThat(
              getJson(urls.get(cheater).resolve("/v1/audit/findings?finding=MATCH&limit=1"))
                  .at("/findings/0/node")
                  .asText())
          .isEqualTo(honestNode.toChecksumString());
      HttpResponse<String> badLimit =
          HTTP.send(
              HttpRequest.newBuilder(urls.get(cheater).resolve("/v1/audit/findings?limit=0"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(badLimit.statusCode()).isEqualTo(400);
      assertThat(badLimit.body()).contains("'limit' must be a whole number from 1 to 1000");
      // The dispute is on DisputeManager against the cheater's node, opened by the honest node's
      // operator. (Played to the end in verity-node's ChallengeTest.)
      String disputeId =
          finding
              .get("detail")
              .asText()
              .substring(finding.get("detail").asText().lastIndexOf(' ') + 1);
      try (EvmDisputes view = EvmDisputes.connect(anvil.rpcUrl(), deployment, dm, key(0))) {
        DisputeState d = view.dispute(Bytes.fromHex(disputeId));
        assertThat(d.node()).isEqualTo(cheater);
        assertThat(d.challenger()).isEqualTo(registry.node(honestNode).orElseThrow().operator());
        assertThat(d.phase()).isNotEqualTo(DisputePhase.NONE);
      }
      // replicate:4 cannot be served by three operators.
      assertThatThrownBy(() -> ReplicatedInference.run(net, request(201), 4))
          .hasMessageContaining("replicate:4 needs 4 operators");
    }
    System.out.printf("replicate:2 x8: %d accepted, %d refused (cheater drawn)%n", agreed, refused);
    assertThat(agreed).as("replica sets without the cheater").isPositive();
    assertThat(refused).as("replica sets with the cheater").isPositive();
  }

  private static com.fasterxml.jackson.databind.JsonNode getJson(java.net.URI uri)
      throws Exception {
    HttpResponse<String> r =
        HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(uri + ": " + r.body()).isEqualTo(200);
    return dev.verity.node.http.Json.MAPPER.readTree(r.body());
  }
}
