package dev.verity.node.receipt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.verity.core.Digest;
import dev.verity.engine.Tensor;
import dev.verity.hub.manifest.SignedManifest;
import dev.verity.hub.store.ModelStore;
import dev.verity.log.bundle.BundleJson;
import dev.verity.node.http.ApiModule;
import dev.verity.node.http.Json;
import dev.verity.node.http.ProblemException;
import dev.verity.node.http.Request;
import dev.verity.node.http.Response;
import dev.verity.node.http.Router;
import dev.verity.receipt.ReceiptJson;
import java.io.IOException;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * Receipts by request id: {@code GET /v1/receipts/{requestId}} (receipt, log index, inclusion
 * proof, checkpoint) and {@code GET /v1/receipts/{requestId}/bundle} (the {@code
 * verity-inference-bundle/v1} file: everything an offline verifier needs), plus {@code GET
 * /v1/node}, the node's identity.
 */
public final class ReceiptsApi implements ApiModule {
  public static final String BUNDLE_FORMAT = "verity-inference-bundle/v1";

  /** What the tensor API kept of a request, looked up by the receipt's digests. */
  public interface TensorArchive {
    Optional<Map<String, Tensor>> tensors(Digest digest) throws IOException;

    /** Renders tensors as JSON (base64 data). */
    JsonNode toJson(Map<String, Tensor> tensors);
  }

  private final ReceiptIssuer issuer;
  private final ModelStore models;
  private final TensorArchive archive;

  public ReceiptsApi(ReceiptIssuer issuer, ModelStore models, TensorArchive archive) {
    this.issuer = issuer;
    this.models = models;
    this.archive = archive;
  }

  @Override
  public void register(Router router) {
    router.get("/v1/node", this::node);
    router.get("/v1/receipts/{requestId}", this::receipt);
    router.get("/v1/receipts/{requestId}/bundle", this::bundle);
  }

  private Response node(Request req) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("address", issuer.address().toChecksumString());
    o.put("origin", issuer.origin());
    o.put("logKey", issuer.logKey().encode());
    o.put("chainId", issuer.domain().chainId());
    o.put("verifyingContract", issuer.domain().verifyingContract().toChecksumString());
    o.put("logSize", issuer.log().size());
    return Response.ok(o);
  }

  private IssuedReceipt find(Request req) throws IOException {
    String id = req.param("requestId");
    return issuer
        .find(id)
        .orElseThrow(
            () -> ProblemException.notFound("no receipt for request id '" + id + "' on this node"));
  }

  private Response receipt(Request req) throws IOException {
    IssuedReceipt r = find(req);
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("requestId", r.requestId());
    putReceiptBundleFields(o, r);
    return Response.ok(o);
  }

  private Response bundle(Request req) throws Exception {
    IssuedReceipt r = find(req);
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("format", BUNDLE_FORMAT);
    o.set("receiptBundle", Json.MAPPER.readTree(BundleJson.toJson(r.bundle())));
    o.put("logKey", issuer.logKey().encode());
    Optional<SignedManifest> m = models.get(r.receipt().receipt().modelDigest());
    if (m.isPresent()) {
      o.set("manifest", Json.MAPPER.readTree(m.get().toJson()));
    }
    Optional<Map<String, Tensor>> in = archive.tensors(r.receipt().receipt().inputDigest());
    if (in.isPresent()) {
      o.set("inputs", archive.toJson(in.get()));
    }
    Optional<Map<String, Tensor>> out = archive.tensors(r.receipt().receipt().outputDigest());
    if (out.isPresent()) {
      o.set("outputs", archive.toJson(out.get()));
    }
    return Response.ok(o)
        .withHeader(
            "Content-Disposition",
            "attachment; filename=\"" + safeName(r.requestId()) + ".bundle.json\"");
  }

  private static String safeName(String id) {
    return id.replaceAll("[^A-Za-z0-9._-]", "_");
  }

  /**
   * The {@code verity-receipt-bundle/v1} fields: {@code receipt}, {@code receiptId}, {@code
   * logIndex}, {@code treeSize}, {@code inclusionProof} (base64 hashes, leaf to root) and {@code
   * checkpoint} (signed note).
   */
  public static void putReceiptBundleFields(ObjectNode o, IssuedReceipt r) {
    o.set("receipt", ReceiptJson.toNode(r.receipt()));
    o.put("receiptId", r.receipt().id().toString());
    o.put("logIndex", r.logIndex());
    o.put("treeSize", r.inclusion().treeSize());
    ArrayNode p = o.putArray("inclusionProof");
    r.inclusion().path().forEach(h -> p.add(Base64.getEncoder().encodeToString(h.toByteArray())));
    o.put("checkpoint", r.checkpoint());
  }
}
