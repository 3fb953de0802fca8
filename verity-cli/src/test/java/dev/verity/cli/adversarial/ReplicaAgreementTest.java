package dev.verity.cli.adversarial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.client.InferRequest;
import dev.verity.client.InferenceReply;
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
import dev.verity.node.VerityNode;
import dev.verity.node.audit.NodeCheat;
import dev.verity.node.config.NodeConfig;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * replicate:k agreement over real nodes on loopback: two honest nodes and one started with the
 * fault-injection switch. Honest replicas agree; any set containing the cheater is refused, naming
 * each node's output digest.
 */
class ReplicaAgreementTest {
  static final SigningKey KEY = SigningKey.fromSeed(Bytes.copyOf(new byte[32]));
  @TempDir static Path tmp;
  static final List<VerityNode> nodes = new ArrayList<>();
  static VerityNode cheater;

  @BeforeAll
  static void start() throws Exception {
    Path shared = Path.of(System.getProperty("verity.shared", "../../shared")).toAbsolutePath();
    byte[] model = Files.readAllBytes(shared.resolve("models/mnist/mnist-7.onnx"));
    nodes.add(VerityNode.start(NodeConfig.ephemeral(tmp.resolve("a"))));
    nodes.add(VerityNode.start(NodeConfig.ephemeral(tmp.resolve("b"))));
    cheater =
        VerityNode.start(
            NodeConfig.ephemeral(tmp.resolve("c")),
            List.of(),
            java.util.Optional.of(
                NodeCheat.inProcess(
                    dev.verity.node.audit.CheatStrategy.OUTPUT_NOISE, java.util.Set.of())));
    nodes.add(cheater);
    for (VerityNode n : nodes) {
      publish(n, model);
    }
  }

  @AfterAll
  static void stop() {
    nodes.forEach(VerityNode::close);
  }

  static void publish(VerityNode n, byte[] model) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    Digest d = Digest.of(model);
    http.send(
        HttpRequest.newBuilder(n.url().resolve("/v1/uploads/" + d))
            .PUT(HttpRequest.BodyPublishers.ofByteArray(model))
            .build(),
        HttpResponse.BodyHandlers.discarding());
    SignedManifest m =
        SignedManifest.sign(
            new ModelManifest(
                "mnist",
                "7",
                ModelFormat.ONNX,
                List.of(new ManifestFile("mnist-7.onnx", model.length, d)),
                null,
                "MIT",
                "MNIST",
                "",
                Instant.parse("2026-01-02T03:04:05Z"),
                KEY.verifyingKey()),
            KEY);
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(n.url().resolve("/v1/models"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(m.toJson()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isIn(200, 201);
  }

  static InferenceReply infer(VerityNode n) throws Exception {
    float[] px = new float[28 * 28];
    Random r = new Random(11);
    for (int i = 0; i < px.length; i++) {
      px[i] = r.nextFloat();
    }
    InferRequest req =
        InferRequest.of("mnist@7", Map.of("Input3", Tensor.ofFloats(new long[] {1, 1, 28, 28}, px)))
            .withPolicy("replicate:2")
            .withRequestId("replica-" + java.util.UUID.randomUUID());
    try (VerityClient c = VerityClient.connect(n.url())) {
      return c.infer(req);
    }
  }

  @Test
  void honestReplicas_agree_onTheSignedDigest() throws Exception {
    InferenceReply a = infer(nodes.get(0));
    InferenceReply b = infer(nodes.get(1));
    Digest agreed = ReplicatedInference.agree(List.of(a, b));
    assertThat(agreed).isEqualTo(TensorEncoding.digest(a.outputs()));
    assertThat(a.receipt().receipt().receipt().policy().text()).isEqualTo("replicate:2");
  }

  @Test
  void cheatingReplica_oneUlpOff_isRefused_namingEachNodesDigest() throws Exception {
    InferenceReply honest = infer(nodes.get(0));
    InferenceReply cheat = infer(cheater);
    // The cheater's receipt is valid for what it returned: only agreement exposes it.
    assertThat(TensorEncoding.digest(cheat.outputs()))
        .isEqualTo(cheat.receipt().receipt().receipt().outputDigest());
    assertThatThrownBy(() -> ReplicatedInference.agree(List.of(honest, cheat)))
        .isInstanceOf(ReplicaDisagreementException.class)
        .hasMessageContaining(cheat.receipt().receipt().receipt().node().toString())
        .hasMessageContaining(honest.receipt().receipt().receipt().outputDigest().toString());
  }
}
