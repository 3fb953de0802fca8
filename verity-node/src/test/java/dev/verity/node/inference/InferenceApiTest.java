package dev.verity.node.inference;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.core.key.SigningKey;
import dev.verity.engine.EngineLimits;
import dev.verity.engine.RunOptions;
import dev.verity.engine.Tensor;
import dev.verity.engine.TensorEncoding;
import dev.verity.engine.TensorJson;
import dev.verity.engine.TraceCommitment;
import dev.verity.engine.dataset.MnistIdx;
import dev.verity.engine.strict.StrictEngine;
import dev.verity.engine.strict.StrictModel;
import dev.verity.hub.manifest.ManifestFile;
import dev.verity.hub.manifest.ModelFormat;
import dev.verity.hub.manifest.ModelManifest;
import dev.verity.hub.manifest.SignedManifest;
import dev.verity.log.ConsistencyProof;
import dev.verity.log.InclusionProof;
import dev.verity.log.bundle.BundleJson;
import dev.verity.log.bundle.ReceiptBundle;
import dev.verity.log.note.Checkpoint;
import dev.verity.log.note.Note;
import dev.verity.log.note.SignedCheckpoint;
import dev.verity.log.note.VerifierKey;
import dev.verity.log.verify.BundleVerifier;
import dev.verity.log.verify.VerifyOptions;
import dev.verity.node.VerityNode;
import dev.verity.node.config.NodeConfig;
import dev.verity.node.http.Json;
import dev.verity.node.log.LogApi;
import dev.verity.receipt.Receipt;
import dev.verity.receipt.VerificationPolicy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inference, receipt and log endpoints over real loopback sockets, with the real MNIST model.
 */
class InferenceApiTest {
  static final SigningKey KEY = SigningKey.fromSeed(Bytes.copyOf(new byte[32]));
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir static Path data;
  @TempDir static Path data2;
  static VerityNode node;
  static VerityNode witnessNode;
  static MnistIdx.Images images;
  static MnistIdx.Labels labels;
  static VerifierKey logKey;

  static Path shared() {
    String s = System.getProperty("verity.shared");
    return s != null ? Path.of(s) : Path.of("../../shared");
  }

  @BeforeAll
  static void start() throws Exception {
    node = VerityNode.start(NodeConfig.ephemeral(data));
    witnessNode = VerityNode.start(NodeConfig.ephemeral(data2));
    publishMnist(node.url());
    images = MnistIdx.readImages(shared().resolve("datasets/mnist/t10k-images-idx3-ubyte.gz"));
    labels = MnistIdx.readLabels(shared().resolve("datasets/mnist/t10k-labels-idx1-ubyte.gz"));
    logKey = VerifierKey.parse(get(node.url(), "/v1/node").get("logKey").asText());
  }

  @AfterAll
  static void stop() {
    witnessNode.close();
    node.close();
  }

  static void publishMnist(URI base) throws Exception {
    byte[] model = Files.readAllBytes(shared().resolve("models/mnist/mnist-7.onnx"));
    Digest d = Digest.of(model);
    var up =
        send(
            HttpRequest.newBuilder(base.resolve("/v1/uploads/" + d))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(model)));
    assertThat(up.statusCode()).isIn(200, 201);
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
    var pub =
        send(
            HttpRequest.newBuilder(base.resolve("/v1/models"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(m.toJson())));
    assertThat(pub.statusCode()).isIn(200, 201);
  }

  static HttpResponse<byte[]> send(HttpRequest.Builder b) throws Exception {
    return HTTP.send(
        b.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  static JsonNode get(URI base, String path) throws Exception {
    var r = send(HttpRequest.newBuilder(base.resolve(path)));
    assertThat(r.statusCode()).as(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(200);
    return Json.MAPPER.readTree(r.body());
  }

  static HttpResponse<byte[]> post(URI base, String path, JsonNode body) throws Exception {
    return send(
        HttpRequest.newBuilder(base.resolve(path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(body))));
  }

  static ObjectNode request(int image, String engine, boolean base64) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("model", "mnist@7");
    o.put("engine", engine);
    o.set("inputs", TensorJson.toJson(Map.of("Input3", images.tensor(image)), base64));
    return o;
  }

  static JsonNode ok(HttpResponse<byte[]> r) throws Exception {
    assertThat(r.statusCode()).as(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(200);
    return Json.MAPPER.readTree(r.body());
  }

  static ReceiptBundle receiptBundle(JsonNode resp) {
    ObjectNode b = Json.MAPPER.createObjectNode();
    b.put("format", BundleJson.FORMAT);
    for (String f : List.of("receipt", "logIndex", "treeSize", "inclusionProof", "checkpoint")) {
      b.set(f, resp.get(f));
    }
    return BundleJson.parse(b.toString());
  }

  static int argmax(JsonNode tensor) {
    JsonNode d = tensor.get("data");
    int best = 0;
    for (int i = 1; i < d.size(); i++) {
      if (d.get(i).floatValue() > d.get(best).floatValue()) {
        best = i;
      }
    }
    return best;
  }

  static JsonNode only(JsonNode outputs) {
    Iterator<JsonNode> it = outputs.elements();
    JsonNode t = it.next();
    assertThat(it.hasNext()).isFalse();
    return t;
  }

  @Test
  void infer_strict_predictsDigit_andReceiptVerifiesAgainstTheLog() throws Exception {
    JsonNode r = ok(post(node.url(), "/v1/infer", request(0, "strict", false)));
    assertThat(argmax(only(r.get("outputs")))).isEqualTo(labels.label(0));
    ReceiptBundle b = receiptBundle(r);
    BundleVerifier.verify(b, VerifyOptions.trusting(logKey));
    var receipt = b.receipt().receipt();
    assertThat(receipt.engineId()).isEqualTo("strict");
    assertThat(receipt.numericMode().name()).isEqualTo("BITWISE");
    // Policy none, trace rule auto: the trace is deferred (committed only in a dispute).
    assertThat(receipt.policy()).isEqualTo(VerificationPolicy.NONE);
    assertThat(receipt.traceRoot()).isEqualTo(Receipt.NO_TRACE);
    assertThat(receipt.traceLeaves()).isZero();
    assertThat(receipt.inputDigest())
        .isEqualTo(TensorEncoding.digest(Map.of("Input3", images.tensor(0))));
    assertThat(receipt.modelDigest().toString()).isEqualTo(r.get("model").get("digest").asText());
    Tensor out = TensorJson.parse(only(r.get("outputs")), "out", Long.MAX_VALUE);
    String outName = r.get("outputs").fieldNames().next();
    assertThat(receipt.outputDigest()).isEqualTo(TensorEncoding.digest(Map.of(outName, out)));
    assertThat(receipt.requestId()).isEqualTo(r.get("requestId").asText());
  }

  @Test
  void answeredRequest_hasItsInputWrittenToTheArchive_beforeTheResponse() throws Exception {
    JsonNode r = ok(post(node.url(), "/v1/infer", request(9, "strict", false)));
    var receipt = receiptBundle(r).receipt().receipt();
    // Written before the receipt's log commit (not only buffered): a node killed right after
    // answering still has the input a dispute re-executes from.
    byte[] digest = receipt.inputDigest().value().toByteArray();
    boolean found = false;
    try (var segments = Files.list(data.resolve("inputs"))) {
      for (Path seg : segments.toList()) {
        byte[] bytes = Files.readAllBytes(seg);
        for (int i = 0; i + 32 <= bytes.length && !found; i++) {
          found = java.util.Arrays.equals(bytes, i, i + 32, digest, 0, 32);
        }
      }
    }
    assertThat(found).isTrue();
  }

  /** The strict engine's own trace of MNIST image {@code image}, computed here. */
  static TraceCommitment localTrace(int image) throws Exception {
    byte[] model = Files.readAllBytes(shared().resolve("models/mnist/mnist-7.onnx"));
    try (StrictModel m = new StrictEngine().load(model, EngineLimits.DEFAULT)) {
      return m.run(Map.of("Input3", images.tensor(image)), RunOptions.WITH_TRACE)
          .trace()
          .orElseThrow();
    }
  }

  @Test
  void infer_strict_auditedPolicy_commitsTheTraceEagerly() throws Exception {
    ObjectNode req = request(4, "strict", false);
    req.put("policy", "sample:0.5");
    var receipt = receiptBundle(ok(post(node.url(), "/v1/infer", req))).receipt().receipt();
    TraceCommitment expected = localTrace(4);
    assertThat(receipt.traceRoot()).isEqualTo(expected.root());
    assertThat(receipt.traceLeaves()).isEqualTo(expected.leafCount()).isPositive();
  }

  @Test
  void infer_strict_traceRuleAlways_commitsTheTraceForPolicyNone(@TempDir Path dir)
      throws Exception {
    try (VerityNode always =
        VerityNode.start(NodeConfig.ephemeral(dir).withInferenceTrace(TraceRule.ALWAYS))) {
      publishMnist(always.url());
      var receipt =
          receiptBundle(ok(post(always.url(), "/v1/infer", request(4, "strict", false))))
              .receipt()
              .receipt();
      assertThat(receipt.policy()).isEqualTo(VerificationPolicy.NONE);
      TraceCommitment expected = localTrace(4);
      assertThat(receipt.traceRoot()).isEqualTo(expected.root());
      assertThat(receipt.traceLeaves()).isEqualTo(expected.leafCount());
    }
  }

  @Test
  void infer_ort_isToleranceMode_andAgreesOnTheDigit() throws Exception {
    JsonNode r = ok(post(node.url(), "/v1/infer", request(1, "ort", false)));
    assertThat(argmax(only(r.get("outputs")))).isEqualTo(labels.label(1));
    ReceiptBundle b = receiptBundle(r);
    BundleVerifier.verify(b, VerifyOptions.trusting(logKey));
    assertThat(b.receipt().receipt().engineId()).isEqualTo("ort");
    assertThat(b.receipt().receipt().numericMode().name()).isEqualTo("TOLERANCE");
  }

  @Test
  void infer_base64AndNumberInputs_giveTheSameInputDigest() throws Exception {
    JsonNode a = ok(post(node.url(), "/v1/infer", request(2, "strict", false)));
    JsonNode b = ok(post(node.url(), "/v1/infer", request(2, "strict", true)));
    assertThat(a.get("receipt").get("inputDigest")).isEqualTo(b.get("receipt").get("inputDigest"));
    assertThat(a.get("receipt").get("outputDigest"))
        .isEqualTo(b.get("receipt").get("outputDigest"));
    assertThat(a.get("logIndex").asLong()).isNotEqualTo(b.get("logIndex").asLong());
  }

  @Test
  void receiptAndBundle_byRequestId_carryManifestInputsAndOutputs() throws Exception {
    ObjectNode req = request(3, "strict", false);
    req.put("requestId", "bundle-test-1");
    req.put("policy", "sample:0.25");
    JsonNode r = ok(post(node.url(), "/v1/infer", req));
    JsonNode again = get(node.url(), "/v1/receipts/bundle-test-1");
    assertThat(again.get("receipt")).isEqualTo(r.get("receipt"));
    assertThat(again.get("receipt").get("policy").asText()).isEqualTo("sample:0.25");
    JsonNode bundle = get(node.url(), "/v1/receipts/bundle-test-1/bundle");
    assertThat(bundle.get("format").asText()).isEqualTo("verity-inference-bundle/v1");
    ReceiptBundle rb = BundleJson.parse(bundle.get("receiptBundle").toString());
    BundleVerifier.verify(rb, VerifyOptions.trusting(logKey));
    SignedManifest m = SignedManifest.parse(Json.MAPPER.writeValueAsBytes(bundle.get("manifest")));
    m.verify();
    assertThat(m.digest()).isEqualTo(rb.receipt().receipt().modelDigest());
    Map<String, Tensor> in = TensorJson.parseMap(bundle.get("inputs"), "in", Long.MAX_VALUE);
    assertThat(TensorEncoding.digest(in)).isEqualTo(rb.receipt().receipt().inputDigest());
    Map<String, Tensor> out = TensorJson.parseMap(bundle.get("outputs"), "out", Long.MAX_VALUE);
    assertThat(TensorEncoding.digest(out)).isEqualTo(rb.receipt().receipt().outputDigest());
  }

  @Test
  void infer_badShape_is400NamingTheTensor() throws Exception {
    ObjectNode req = request(0, "strict", false);
    ObjectNode in = (ObjectNode) req.get("inputs").get("Input3");
    in.putArray("shape").add(1).add(784);
    var r = post(node.url(), "/v1/infer", req);
    assertThat(r.statusCode()).isEqualTo(400);
    JsonNode p = Json.MAPPER.readTree(r.body());
    assertThat(p.get("tensor").asText()).isEqualTo("Input3");
    assertThat(p.get("detail").asText()).contains("Input3").contains("shape");
  }

  @Test
  void infer_wrongElementCount_is400() throws Exception {
    ObjectNode req = request(0, "strict", false);
    ((ObjectNode) req.get("inputs").get("Input3")).putArray("data").add(1.0);
    var r = post(node.url(), "/v1/infer", req);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(Json.MAPPER.readTree(r.body()).get("detail").asText())
        .contains("Input3")
        .contains("784");
  }

  @Test
  void infer_unknownModel_is404_unknownEngine_is400() throws Exception {
    ObjectNode req = request(0, "strict", false);
    req.put("model", "nope@1");
    assertThat(post(node.url(), "/v1/infer", req).statusCode()).isEqualTo(404);
    ObjectNode req2 = request(0, "tpu", false);
    var r = post(node.url(), "/v1/infer", req2);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(Json.MAPPER.readTree(r.body()).get("detail").asText()).contains("tpu");
  }

  @Test
  void infer_duplicateRequestId_is409() throws Exception {
    ObjectNode req = request(0, "strict", false);
    req.put("requestId", "dup-1");
    ok(post(node.url(), "/v1/infer", req));
    assertThat(post(node.url(), "/v1/infer", req).statusCode()).isEqualTo(409);
  }

  @Test
  void logEndpoints_checkpointTilesAndProofsAgree() throws Exception {
    for (int i = 0; i < 3; i++) {
      ok(post(node.url(), "/v1/infer", request(10 + i, "strict", true)));
    }
    var cp = send(HttpRequest.newBuilder(node.url().resolve("/checkpoint")));
    assertThat(cp.statusCode()).isEqualTo(200);
    SignedCheckpoint sc =
        SignedCheckpoint.verify(new String(cp.body(), StandardCharsets.UTF_8), logKey);
    long n = sc.checkpoint().size();
    assertThat(n).isGreaterThanOrEqualTo(3);
    var tile = send(HttpRequest.newBuilder(node.url().resolve("/tile/0/000.p/" + n)));
    assertThat(tile.statusCode()).isEqualTo(200);
    assertThat(tile.body()).hasSize((int) (32 * n));
    JsonNode inc = get(node.url(), "/v1/log/proof/inclusion?index=1&size=" + n);
    byte[] leaf = Base64.getDecoder().decode(inc.get("leafHash").asText());
    assertThat(java.util.Arrays.copyOfRange(tile.body(), 32, 64)).isEqualTo(leaf);
    new InclusionProof(1, n, hashes(inc.get("proof")))
        .verify(Bytes.copyOf(leaf), sc.checkpoint().rootHash());
    JsonNode con = get(node.url(), "/v1/log/proof/consistency?from=1&to=" + n);
    Bytes root1 =
        Bytes.copyOf(
            Base64.getDecoder()
                .decode(
                    get(node.url(), "/v1/log/proof/inclusion?index=0&size=1")
                        .get("rootHash")
                        .asText()));
    new ConsistencyProof(1, n, hashes(con.get("proof"))).verify(root1, sc.checkpoint().rootHash());
    var bad = send(HttpRequest.newBuilder(node.url().resolve("/tile/0/999")));
    assertThat(bad.statusCode()).isEqualTo(404);
    assertThat(
            send(HttpRequest.newBuilder(node.url().resolve("/v1/log/proof/inclusion?index=x")))
                .statusCode())
        .isEqualTo(400);
    assertThat(LogApi.tilePattern(2)).isEqualTo("/tile/{p1}/{p2}");
  }

  @Test
  void witness_cosignsPeerCheckpoint_andBundlesCarryTheCosignature() throws Exception {
    ok(post(node.url(), "/v1/infer", request(20, "strict", false)));
    ObjectNode body = Json.MAPPER.createObjectNode().put("url", node.url().toString());
    JsonNode w1 = ok(post(witnessNode.url(), "/v1/witness/peers", body));
    assertThat(w1.get("results").get(0).get("outcome").asText()).isEqualTo("cosigned");
    assertThat(w1.get("results").get(0).get("delivered").asBoolean()).isTrue();
    VerifierKey wkey =
        VerifierKey.parse(get(witnessNode.url(), "/v1/witness").get("witness").asText());
    // More receipts, then witnessing again goes through a consistency proof.
    ObjectNode req = request(21, "strict", false);
    req.put("requestId", "witnessed-1");
    ok(post(node.url(), "/v1/infer", req));
    JsonNode w2 = ok(post(witnessNode.url(), "/v1/witness/peers", body));
    JsonNode res = w2.get("results").get(0);
    assertThat(res.get("outcome").asText()).isEqualTo("cosigned");
    assertThat(res.get("previousSize").asLong()).isPositive();
    assertThat(res.get("size").asLong()).isGreaterThan(res.get("previousSize").asLong());
    JsonNode bundle = get(node.url(), "/v1/receipts/witnessed-1/bundle");
    ReceiptBundle rb = BundleJson.parse(bundle.get("receiptBundle").toString());
    BundleVerifier.verify(rb, VerifyOptions.trusting(logKey).witnesses(List.of(wkey), 1));
    assertThat(get(witnessNode.url(), "/v1/log/cosignatures").get("checkpoints")).hasSize(1);
    assertThat(get(witnessNode.url(), "/v1/log/forks").get("forks")).isEmpty();
    Checkpoint c = Checkpoint.parse(Note.parse(rb.checkpoint()).text());
    assertThat(c.size()).isEqualTo(res.get("size").asLong());
  }

  static List<Bytes> hashes(JsonNode arr) {
    List<Bytes> out = new ArrayList<>();
    arr.forEach(h -> out.add(Bytes.copyOf(Base64.getDecoder().decode(h.asText()))));
    return out;
  }
}
