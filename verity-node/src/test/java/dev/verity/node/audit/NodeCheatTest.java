package dev.verity.node.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.verity.audit.reexec.AuditResult;
import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.core.key.SigningKey;
import dev.verity.engine.Tensor;
import dev.verity.engine.TensorJson;
import dev.verity.hub.manifest.ManifestFile;
import dev.verity.hub.manifest.ModelFormat;
import dev.verity.hub.manifest.ModelManifest;
import dev.verity.hub.manifest.SignedManifest;
import dev.verity.log.bundle.BundleJson;
import dev.verity.node.VerityNode;
import dev.verity.node.config.NodeConfig;
import dev.verity.node.http.Json;
import dev.verity.receipt.SignedReceipt;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault injection on a node: the audit-cheat / audit-collude-with settings are refused off a local
 * devnet chain (none, or any chain id but 31337, read from the RPC) and accepted on Anvil; a
 * cheating node serves tampered answers under valid receipts (which an audit catches); a node
 * without it is honest; /v1/infer states the tier's detection probability and resolves value at
 * risk to the tier the receipt signs.
 */
class NodeCheatTest {
  static final SigningKey KEY = SigningKey.fromSeed(Bytes.copyOf(new byte[32]));
  static final HttpClient HTTP = HttpClient.newHttpClient();

  static Path shared() {
    String s = System.getProperty("verity.shared");
    return s != null ? Path.of(s) : Path.of("../../shared");
  }

  static byte[] model() throws Exception {
    return Files.readAllBytes(shared().resolve("models/mnist/mnist-7.onnx"));
  }

  static void publish(URI base, byte[] model) throws Exception {
    Digest d = Digest.of(model);
    assertThat(
            HTTP.send(
                    HttpRequest.newBuilder(base.resolve("/v1/uploads/" + d))
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(model))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .statusCode())
        .isIn(200, 201);
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
    assertThat(
            HTTP.send(
                    HttpRequest.newBuilder(base.resolve("/v1/models"))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(m.toJson()))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .statusCode())
        .isIn(200, 201);
  }

  static Map<String, Tensor> input() {
    float[] px = new float[28 * 28];
    Random r = new Random(5);
    for (int i = 0; i < px.length; i++) {
      px[i] = r.nextFloat();
    }
    return Map.of("Input3", Tensor.ofFloats(new long[] {1, 1, 28, 28}, px));
  }

  static HttpResponse<String> infer(URI base, String policy) throws Exception {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("model", "mnist@7");
    o.put("policy", policy);
    o.set("inputs", TensorJson.toJson(input(), true));
    return HTTP.send(
        HttpRequest.newBuilder(base.resolve("/v1/infer"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(o.toString()))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode auditVia(URI auditor, URI peer, String requestId) throws Exception {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("peer", peer.toString());
    o.put("requestId", requestId);
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(auditor.resolve("/v1/audit"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(o.toString()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return Json.MAPPER.readTree(r.body());
  }

  static SignedReceipt receipt(JsonNode resp) {
    ObjectNode b = Json.MAPPER.createObjectNode();
    b.put("format", BundleJson.FORMAT);
    for (String f : List.of("receipt", "logIndex", "treeSize", "inclusionProof", "checkpoint")) {
      b.set(f, resp.get(f));
    }
    return BundleJson.parse(b.toString()).receipt();
  }

  @Test
  void cheatingNode_servesWrongOutputUnderValidReceipt_auditFindsMismatch_honestNodeMatches(
      @TempDir Path honestDir, @TempDir Path cheatDir) throws Exception {
    byte[] model = model();
    VerityNode cheat =
        VerityNode.start(
            NodeConfig.ephemeral(cheatDir),
            List.of(),
            java.util.Optional.of(
                NodeCheat.inProcess(CheatStrategy.WRONG_OUTPUT, java.util.Set.of())));
    try (cheat;
        VerityNode honest = VerityNode.start(NodeConfig.ephemeral(honestDir))) {
      publish(cheat.url(), model);
      publish(honest.url(), model);
      HttpResponse<String> h = infer(honest.url(), "sample:0.5");
      HttpResponse<String> c = infer(cheat.url(), "sample:0.5");
      assertThat(h.statusCode()).as(h.body()).isEqualTo(200);
      assertThat(c.statusCode()).as(c.body()).isEqualTo(200);
      SignedReceipt hr = receipt(Json.MAPPER.readTree(h.body()));
      SignedReceipt cr = receipt(Json.MAPPER.readTree(c.body()));
      hr.verify();
      cr.verify();
      assertThat(cr.receipt().outputDigest()).isNotEqualTo(hr.receipt().outputDigest());
      assertThat(SampledAudit.reexecute(model, input(), hr)).isInstanceOf(AuditResult.Match.class);
      assertThat(SampledAudit.reexecute(model, input(), cr))
          .isInstanceOf(AuditResult.Mismatch.class);
      // The honest node as auditor, over HTTP, with its own copy of the model.
      JsonNode ofCheat = auditVia(honest.url(), cheat.url(), cr.receipt().requestId());
      assertThat(ofCheat.get("result").asText()).isEqualTo("mismatch");
      assertThat(ofCheat.get("reason").asText()).contains("output digest differs");
      assertThat(ofCheat.get("receiptOutput").asText())
          .isEqualTo(cr.receipt().outputDigest().toString());
      assertThat(ofCheat.get("auditorOutput").asText())
          .isEqualTo(hr.receipt().outputDigest().toString());
      JsonNode ofHonest = auditVia(cheat.url(), honest.url(), hr.receipt().requestId());
      assertThat(ofHonest.get("result").asText()).isEqualTo("match");
      HttpResponse<String> bad =
          HTTP.send(
              HttpRequest.newBuilder(honest.url().resolve("/v1/audit"))
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"peer\":\"file:///etc\",\"requestId\":\"x\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(bad.statusCode()).isEqualTo(400);
      assertThat(bad.body()).contains("http(s) URL");
    }
  }

  @Test
  void infer_statesDetectionProbability_andResolvesValueAtRisk(@TempDir Path dir) throws Exception {
    try (VerityNode node = VerityNode.start(NodeConfig.ephemeral(dir))) {
      publish(node.url(), model());
      JsonNode s = Json.MAPPER.readTree(infer(node.url(), "sample:0.5").body());
      assertThat(s.at("/verification/policy").asText()).isEqualTo("sample:0.5");
      assertThat(s.at("/verification/detectionProbability").asDouble())
          .isCloseTo(0.5 * (2.0 / 3.0), offset(1e-12));
      // V = 1000, budget 100, a third of stake dishonest: sampling cannot reach 10 %, and
      // replicate:2 leaves 1/9; replicate:3 (1/27) is the cheapest that does.
      HttpResponse<String> v = infer(node.url(), "var:1000:100");
      JsonNode vj = Json.MAPPER.readTree(v.body());
      assertThat(vj.at("/verification/requested").asText()).isEqualTo("var:1000:100");
      assertThat(vj.at("/verification/policy").asText()).isEqualTo("replicate:3");
      assertThat(receipt(vj).receipt().policy().text()).isEqualTo("replicate:3");
      HttpResponse<String> none = infer(node.url(), "var:1000000000:0.000001");
      assertThat(none.statusCode()).isEqualTo(422);
      assertThat(none.body()).contains("no-tier-within-budget");
    }
  }

  static NodeConfig configWith(Path dir, String rpc, String... settings) throws Exception {
    StringBuilder b = new StringBuilder("data-dir=" + dir.resolve("data") + "\n");
    if (rpc != null) {
      b.append("chain-rpc-url=").append(rpc).append('\n');
      b.append("deployment-file=").append(dir.resolve("deployment.json")).append('\n');
      b.append("operator-key-file=").append(dir.resolve("operator.key")).append('\n');
    }
    for (String s : settings) {
      b.append(s).append('\n');
    }
    Path f = dir.resolve("node.properties");
    Files.writeString(f, b.toString());
    return NodeConfig.load(java.util.Optional.of(f), Map.of());
  }

  @Test
  void cheatSetting_refusedWithoutChain_andOnAChainThatIsNotADevnet(@TempDir Path dir)
      throws Exception {
    assertThatThrownBy(
            () -> VerityNode.start(configWith(dir, null, "audit-cheat=wrong-output", "port=0")))
        .isInstanceOf(dev.verity.node.config.NodeConfigException.class)
        .hasMessageContaining("refusing audit-cheat=wrong-output")
        .hasMessageContaining("31337");
    // A chain answering eth_chainId 1 (mainnet's id) on loopback.
    com.sun.net.httpserver.HttpServer rpc =
        com.sun.net.httpserver.HttpServer.create(
            new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
    rpc.createContext(
        "/",
        ex -> {
          byte[] body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"}".getBytes();
          ex.sendResponseHeaders(200, body.length);
          ex.getResponseBody().write(body);
          ex.close();
        });
    rpc.start();
    try {
      String url = "http://127.0.0.1:" + rpc.getAddress().getPort();
      assertThatThrownBy(
              () -> NodeCheat.configured(configWith(dir, url, "audit-cheat=lying-trace").network()))
          .hasMessageContaining("refusing audit-cheat=lying-trace")
          .hasMessageContaining("is chain 1");
      assertThatThrownBy(
              () ->
                  NodeCheat.configured(
                      configWith(
                              dir,
                              url,
                              "audit-collude-with=0x00000000000000000000000000000000000000aa")
                          .network()))
          .hasMessageContaining("refusing audit-collude-with=")
          .hasMessageContaining("is chain 1");
      assertThatThrownBy(
              () -> NodeCheat.configured(configWith(dir, url, "audit-cheat=lie-a-bit").network()))
          .hasMessageContaining("lie-a-bit")
          .hasMessageContaining("skipped-layer");
      assertThatThrownBy(() -> configWith(dir, url, "audit-collude-with=nobody"))
          .hasMessageContaining("audit-collude-with must list 0x addresses");
      // Off: nothing is asked of the chain.
      assertThat(NodeCheat.configured(configWith(dir, url).network())).isEmpty();
      assertThat(NodeCheat.configured(configWith(dir, url, "audit-cheat=honest").network()))
          .isEmpty();
    } finally {
      rpc.stop(0);
    }
    try (dev.verity.settlement.anvil.AnvilProcess anvil =
        dev.verity.settlement.anvil.AnvilProcess.start()) {
      NodeCheat c =
          NodeCheat.configured(
                  configWith(
                          dir,
                          anvil.rpcUrl(),
                          "audit-cheat=skipped-layer",
                          "audit-collude-with=0x00000000000000000000000000000000000000aa")
                      .network())
              .orElseThrow();
      assertThat(c.strategy()).isEqualTo(CheatStrategy.SKIPPED_LAYER);
      byte[] m = model();
      assertThat(c.model(m)).isEqualTo(OnnxRewrite.skipFirst(m, "Relu"));
      dev.verity.receipt.eth.EthAddress aa =
          dev.verity.receipt.eth.EthAddress.parse("0x00000000000000000000000000000000000000aa");
      dev.verity.receipt.eth.EthAddress bb =
          dev.verity.receipt.eth.EthAddress.parse("0x00000000000000000000000000000000000000bb");
      assertThat(c.colludesWith(bb, aa)).isTrue();
      assertThat(c.colludesWith(aa, bb)).isTrue();
      assertThat(c.colludesWith(bb, bb)).isFalse();
    }
  }

  @Test
  void silentCheat_hasNothingToPlay_othersPlayTheTraceTheyCommitted() throws Exception {
    byte[] m = model();
    dev.verity.engine.InferenceResult run;
    try (dev.verity.engine.strict.StrictModel sm =
        new dev.verity.engine.strict.StrictEngine()
            .load(m, dev.verity.engine.EngineLimits.DEFAULT)) {
      run = sm.run(input(), dev.verity.engine.RunOptions.WITH_TRACE);
    }
    NodeCheat silent = NodeCheat.inProcess(CheatStrategy.SILENT_IN_DISPUTE, java.util.Set.of());
    assertThat(silent.committed(run)).isEmpty();
    NodeCheat lying = NodeCheat.inProcess(CheatStrategy.LYING_TRACE, java.util.Set.of());
    FaultInjector.Served s = lying.committed(run).orElseThrow();
    // Same output, but the committed trace is not the honest one; apply() serves exactly that.
    assertThat(s.outputDigest()).isEqualTo(dev.verity.engine.TensorEncoding.digest(run.outputs()));
    assertThat(s.committed().root()).isNotEqualTo(run.trace().orElseThrow().root());
    assertThat(lying.apply(run).trace().orElseThrow().root()).isEqualTo(s.committed().root());
  }

  @Test
  void unknownStrategy_throwsListingValidOnes() {
    assertThatThrownBy(() -> CheatStrategy.parse("lie-a-bit"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lie-a-bit")
        .hasMessageContaining("wrong-output");
    assertThat(CheatStrategy.parse("Lying_Trace")).isEqualTo(CheatStrategy.LYING_TRACE);
  }

  @Test
  void modelRewrites_changeTheModel_butKeepItLoadable() throws Exception {
    byte[] model = model();
    byte[] q = OnnxRewrite.quantizeToBfloat16(model);
    byte[] skip = OnnxRewrite.skipFirst(model, "Relu");
    assertThat(q).hasSameSizeAs(model).isNotEqualTo(model);
    assertThat(new String(skip, StandardCharsets.ISO_8859_1)).contains("Identity");
    assertThat(skip.length).isEqualTo(model.length + "Identity".length() - "Relu".length());
    for (byte[] m : List.of(q, skip)) {
      try (FaultInjector honestRun =
          new FaultInjector(m, CheatStrategy.HONEST, dev.verity.engine.EngineLimits.DEFAULT)) {
        FaultInjector.Served s = honestRun.serve(input());
        assertThat(s.committed().leafCount()).isPositive();
      }
    }
    assertThatThrownBy(() -> OnnxRewrite.skipFirst(model, "Softmax"))
        .hasMessageContaining("no Softmax node");
  }
}
