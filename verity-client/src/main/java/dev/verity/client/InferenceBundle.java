package dev.verity.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.verity.client.internal.Transport;
import dev.verity.core.FormatException;
import dev.verity.engine.Tensor;
import dev.verity.engine.TensorJson;
import dev.verity.hub.manifest.SignedManifest;
import dev.verity.log.bundle.BundleJson;
import dev.verity.log.bundle.ReceiptBundle;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Everything needed to verify one inference offline, as the file format {@code
 * verity-inference-bundle/v1}: the receipt bundle ({@code verity-receipt-bundle/v1}: signed
 * receipt, log index, tree size, inclusion proof, checkpoint with any cosignatures), the log's
 * verifier key as the node stated it ({@code logKey}: a hint, verifiers should pin their own), the
 * model's signed manifest (DSSE envelope), and the input and output tensors (base64 data). Inputs
 * and outputs are empty maps when the node no longer had them.
 */
public record InferenceBundle(
    ReceiptBundle receipt,
    String logKey,
    SignedManifest manifest,
    Map<String, Tensor> inputs,
    Map<String, Tensor> outputs) {
  public static final String FORMAT = "verity-inference-bundle/v1";
  static final Set<String> FIELDS =
      Set.of("format", "receiptBundle", "logKey", "manifest", "inputs", "outputs");

  /** Bundles stay small: receipts, proofs and tensors of one request. */
  public static final int MAX_CHARS = 64 << 20;

  public InferenceBundle {
    Objects.requireNonNull(receipt, "receipt");
    Objects.requireNonNull(logKey, "logKey");
    Objects.requireNonNull(manifest, "manifest");
    inputs = Collections.unmodifiableMap(new LinkedHashMap<>(inputs));
    outputs = Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
  }

  /** Parses a bundle file; the error names the field at fault. */
  public static InferenceBundle parse(String json) {
    if (json.length() > MAX_CHARS) {
      throw new IllegalArgumentException("bundle is larger than " + MAX_CHARS + " characters");
    }
    JsonNode n;
    try {
      n = Transport.JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("bundle is not valid JSON: " + e.getOriginalMessage());
    }
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException("bundle must be a JSON object");
    }
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!FIELDS.contains(f)) {
        throw new IllegalArgumentException("bundle has unknown field '" + f + "'");
      }
    }
    if (!FORMAT.equals(n.path("format").asText())) {
      throw new IllegalArgumentException("bundle format must be \"" + FORMAT + "\"");
    }
    if (!n.path("receiptBundle").isObject()) {
      throw new IllegalArgumentException("bundle field 'receiptBundle' must be an object");
    }
    ReceiptBundle rb;
    try {
      rb = BundleJson.parse(n.get("receiptBundle").toString());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("bundle field 'receiptBundle': " + e.getMessage(), e);
    }
    if (!n.path("logKey").isTextual()) {
      throw new IllegalArgumentException("bundle field 'logKey' must be a string");
    }
    if (!n.path("manifest").isObject()) {
      throw new IllegalArgumentException(
          "bundle field 'manifest' must be the model's signed manifest (DSSE envelope)");
    }
    SignedManifest m;
    try {
      m = SignedManifest.parse(Transport.JSON.writeValueAsBytes(n.get("manifest")));
    } catch (FormatException | JsonProcessingException e) {
      throw new IllegalArgumentException("bundle field 'manifest': " + e.getMessage(), e);
    }
    Map<String, Tensor> in =
        n.has("inputs")
            ? TensorJson.parseMap(n.get("inputs"), "bundle input", Long.MAX_VALUE)
            : Map.of();
    Map<String, Tensor> out =
        n.has("outputs")
            ? TensorJson.parseMap(n.get("outputs"), "bundle output", Long.MAX_VALUE)
            : Map.of();
    return new InferenceBundle(rb, n.get("logKey").textValue(), m, in, out);
  }

  /** The bundle file text (pretty-printed JSON ending in a newline). */
  public String toJson() {
    ObjectNode o = Transport.JSON.createObjectNode();
    o.put("format", FORMAT);
    try {
      o.set("receiptBundle", Transport.JSON.readTree(BundleJson.toJson(receipt)));
      o.put("logKey", logKey);
      o.set("manifest", Transport.JSON.readTree(manifest.toJson()));
      if (!inputs.isEmpty()) {
        o.set("inputs", TensorJson.toJson(inputs, true));
      }
      if (!outputs.isEmpty()) {
        o.set("outputs", TensorJson.toJson(outputs, true));
      }
      return Transport.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o) + "\n";
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The same bundle with another receipt bundle (for example a newer, cosigned checkpoint). */
  public InferenceBundle withReceipt(ReceiptBundle rb) {
    return new InferenceBundle(rb, logKey, manifest, inputs, outputs);
  }
}
