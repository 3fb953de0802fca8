package dev.verity.node.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.verity.audit.reexec.AuditResult;
import dev.verity.audit.reexec.StrictAudit;
import dev.verity.core.Digest;
import dev.verity.engine.EngineLimits;
import dev.verity.engine.Tensor;
import dev.verity.engine.TensorJson;
import dev.verity.engine.ort.OrtEngine;
import dev.verity.engine.ort.OrtTolerance;
import dev.verity.engine.strict.StrictEngine;
import dev.verity.hub.manifest.ManifestFile;
import dev.verity.hub.manifest.SignedManifest;
import dev.verity.log.bundle.BundleJson;
import dev.verity.node.NodeServices;
import dev.verity.node.http.ApiModule;
import dev.verity.node.http.Json;
import dev.verity.node.http.Problem;
import dev.verity.node.http.ProblemException;
import dev.verity.node.http.Response;
import dev.verity.node.http.Router;
import dev.verity.receipt.Receipt;
import dev.verity.receipt.ReceiptSignatureException;
import dev.verity.receipt.SignedReceipt;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * {@code POST /v1/audit}: this node acts as auditor of another node's receipt. It fetches the
 * peer's bundle (receipt, inputs, outputs), checks the receipt signature, and re-executes with its
 * own copy of the model: strict receipts must reproduce output digest and trace root bit for bit,
 * ORT receipts must be within {@link OrtTolerance#DEFAULT}. Nothing is opened on-chain here; a
 * mismatch answer carries what a dispute needs (both digests and trace roots).
 */
final class AuditApi implements ApiModule {
  private static final long MAX_BUNDLE_BYTES = 64L << 20;
  private final NodeServices services;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  AuditApi(NodeServices services) {
    this.services = services;
  }

  @Override
  public void register(Router router) {
    router.post(
        "/v1/audit",
        req -> {
          req.requireLoopbackCaller("auditing another node's receipt");
          return Response.ok(audit(req.json()));
        });
  }

  ObjectNode audit(JsonNode body) throws Exception {
    String peer = text(body, "peer");
    String requestId = text(body, "requestId");
    URI base;
    try {
      base = URI.create(peer);
    } catch (IllegalArgumentException e) {
      throw ProblemException.badRequest("'peer' is not a URL: " + e.getMessage());
    }
    if (!("http".equals(base.getScheme()) || "https".equals(base.getScheme()))
        || base.getHost() == null) {
      throw ProblemException.badRequest("'peer' must be an http(s) URL with a host, got " + peer);
    }
    URI url =
        base.resolve(
            "/v1/receipts/" + URLEncoder.encode(requestId, StandardCharsets.UTF_8) + "/bundle");
    HttpResponse<InputStream> r =
        http.send(
            HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(60)).build(),
            HttpResponse.BodyHandlers.ofInputStream());
    byte[] raw;
    try (InputStream in = r.body()) {
      raw = in.readNBytes((int) MAX_BUNDLE_BYTES + 1);
    }
    if (r.statusCode() != 200) {
      throw new ProblemException(
          Problem.of(
              502,
              "peer-bundle-unavailable",
              "Peer bundle unavailable",
              url + " answered " + r.statusCode()));
    }
    if (raw.length > MAX_BUNDLE_BYTES) {
      throw ProblemException.tooLarge("the peer's bundle exceeds " + MAX_BUNDLE_BYTES + " bytes");
    }
    JsonNode bundle = Json.MAPPER.readTree(raw);
    SignedReceipt sr = BundleJson.parse(bundle.path("receiptBundle").toString()).receipt();
    try {
      sr.verify();
    } catch (ReceiptSignatureException e) {
      throw new ProblemException(
          Problem.of(422, "bad-receipt", "Receipt signature invalid", e.getMessage()));
    }
    Receipt receipt = sr.receipt();
    long max = EngineLimits.DEFAULT.maxTotalBytes();
    Map<String, Tensor> inputs = TensorJson.parseMap(bundle.get("inputs"), "input", max);
    byte[] model = modelBytes(receipt.modelDigest());
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("requestId", receipt.requestId());
    o.put("node", receipt.node().toChecksumString());
    o.put("engine", receipt.engineId());
    o.put("receiptOutput", receipt.outputDigest().toString());
    if (StrictEngine.ID.equals(receipt.engineId())) {
      switch (StrictAudit.audit(model, inputs, receipt, EngineLimits.DEFAULT)) {
        case AuditResult.Match m -> {
          o.put("result", "match");
          o.put("auditorOutput", m.outputDigest().toString());
          o.put("auditorTraceRoot", m.traceRoot().toString());
        }
        case AuditResult.Mismatch m -> {
          o.put("result", "mismatch");
          o.put("reason", m.reason());
          o.put("auditorOutput", m.auditorOutput().toString());
          o.put("receiptTraceRoot", m.receiptTraceRoot().toString());
          o.put("auditorTraceRoot", m.auditorTraceRoot().toString());
        }
      }
    } else if (OrtEngine.ID.equals(receipt.engineId())) {
      Map<String, Tensor> outputs = TensorJson.parseMap(bundle.get("outputs"), "output", max);
      Path tmp = Files.createTempFile("verity-audit-", ".onnx");
      try {
        Files.write(tmp, model);
        switch (OrtAudit.audit(tmp, inputs, outputs, receipt, OrtTolerance.DEFAULT)) {
          case OrtAudit.Result.Within w -> o.put("result", "within-tolerance");
          case OrtAudit.Result.Exceeded x -> {
            o.put("result", "exceeded");
            o.put("reason", x.reason());
          }
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
    } else {
      throw ProblemException.badRequest("cannot audit engine '" + receipt.engineId() + "'");
    }
    return o;
  }

  /** The model's one ONNX file from this node's store, digest-checked. */
  private byte[] modelBytes(Digest manifest) throws Exception {
    SignedManifest m =
        services
            .models()
            .get(manifest)
            .orElseThrow(
                () ->
                    new ProblemException(
                        Problem.of(
                            409,
                            "model-not-held",
                            "Model not held",
                            "this node does not hold model " + manifest + " and cannot audit it")));
    ManifestFile f =
        m.manifest().files().stream()
            .filter(x -> x.path().endsWith(".onnx"))
            .findFirst()
            .orElseThrow(
                () -> ProblemException.badRequest("model " + manifest + " has no ONNX file"));
    byte[] bytes;
    try (InputStream in = services.blobs().open(f.digest())) {
      bytes = in.readAllBytes();
    }
    if (!Digest.of(bytes).equals(f.digest())) {
      throw new IOException("stored blob of " + f.path() + " does not match " + f.digest());
    }
    return bytes;
  }

  private static String text(JsonNode body, String field) {
    JsonNode n = body == null ? null : body.get(field);
    if (n == null || !n.isTextual() || n.asText().isEmpty()) {
      throw ProblemException.badRequest("'" + field + "' is required and must be a string");
    }
    return n.asText();
  }
}
