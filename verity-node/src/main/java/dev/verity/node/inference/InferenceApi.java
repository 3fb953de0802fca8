package dev.verity.node.inference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.verity.engine.Tensor;
import dev.verity.engine.TensorJson;
import dev.verity.engine.strict.StrictEngine;
import dev.verity.hub.manifest.SignedManifest;
import dev.verity.node.http.ApiModule;
import dev.verity.node.http.Json;
import dev.verity.node.http.ProblemException;
import dev.verity.node.http.Request;
import dev.verity.node.http.Response;
import dev.verity.node.http.Router;
import dev.verity.node.receipt.IssuedReceipt;
import dev.verity.node.receipt.ReceiptsApi;
import dev.verity.receipt.VerificationPolicy;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code POST /v1/infer}: runs a published model on JSON tensors and answers with the outputs and
 * the signed, logged receipt (its log index, inclusion proof and signed checkpoint). The answer is
 * sent only after the receipt is fsync'd in the node's log.
 */
public final class InferenceApi implements ApiModule {
  static final Set<String> FIELDS =
      Set.of("model", "engine", "inputs", "policy", "requestId", "outputEncoding");

  private final InferenceService service;

  public InferenceApi(InferenceService service) {
    this.service = service;
  }

  @Override
  public void register(Router router) {
    router.post("/v1/infer", this::infer);
  }

  private Response infer(Request req) throws Exception {
    JsonNode body = req.json();
    if (!body.isObject()) {
      throw ProblemException.badRequest("request body must be a JSON object");
    }
    for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!FIELDS.contains(f)) {
        throw ProblemException.badRequest(
            "unknown field '"
                + f
                + "'; known: model, engine, inputs, policy, requestId,"
                + " outputEncoding");
      }
    }
    String model =
        text(body, "model")
            .orElseThrow(
                () ->
                    ProblemException.badRequest(
                        "'model' is required: a name, name@version or manifest digest sha256:..."));
    String engine = text(body, "engine").orElse(StrictEngine.ID);
    VerificationPolicy policy;
    try {
      policy = VerificationPolicy.parse(text(body, "policy").orElse("none"));
    } catch (IllegalArgumentException e) {
      throw ProblemException.badRequest("bad 'policy': " + e.getMessage());
    }
    String enc = text(body, "outputEncoding").orElse("numbers");
    if (!enc.equals("numbers") && !enc.equals("base64")) {
      throw ProblemException.badRequest("'outputEncoding' must be \"numbers\" or \"base64\"");
    }
    Map<String, Tensor> inputs =
        TensorJson.parseMap(body.get("inputs"), "input", service.limits().maxTotalBytes());
    // A value-at-risk request is resolved to a concrete tier, which the receipt signs.
    dev.verity.audit.tier.AuditDecision tier = dev.verity.node.audit.TierStatement.decide(policy);
    InferenceService.Outcome out =
        service.infer(
            new InferenceService.Request(
                model, engine, inputs, tier.policy(), text(body, "requestId")));
    ObjectNode o = responseBody(out, enc.equals("base64"));
    o.set("verification", dev.verity.node.audit.TierStatement.json(policy, tier));
    return Response.ok(o);
  }

  static ObjectNode responseBody(InferenceService.Outcome out, boolean base64) {
    IssuedReceipt r = out.receipt();
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("requestId", r.requestId());
    SignedManifest m = out.manifest();
    ObjectNode mo = o.putObject("model");
    mo.put("name", m.manifest().name());
    mo.put("version", m.manifest().version());
    mo.put("digest", m.digest().toString());
    o.set("outputs", TensorJson.toJson(out.outputs(), base64));
    ReceiptsApi.putReceiptBundleFields(o, r);
    return o;
  }

  private static Optional<String> text(JsonNode body, String field) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return Optional.empty();
    }
    if (!n.isTextual()) {
      throw ProblemException.badRequest("'" + field + "' must be a string");
    }
    return Optional.of(n.textValue());
  }
}
