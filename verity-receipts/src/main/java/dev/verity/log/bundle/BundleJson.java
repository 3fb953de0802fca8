package dev.verity.log.bundle;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.verity.core.Bytes;
import dev.verity.log.InclusionProof;
import dev.verity.log.note.Note;
import dev.verity.receipt.ReceiptFormatException;
import dev.verity.receipt.ReceiptJson;
import dev.verity.receipt.StrictJson;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/**
 * The bundle file format {@code verity-receipt-bundle/v1}: a JSON object with the receipt (as
 * {@link ReceiptJson}), {@code logIndex}, {@code treeSize}, {@code inclusionProof} (base64 hashes,
 * leaf to root) and {@code checkpoint} (the signed note text). Parsing is strict.
 */
public final class BundleJson {
  public static final String FORMAT = "verity-receipt-bundle/v1";
  static final String WHAT = "receipt bundle";
  static final Set<String> FIELDS =
      Set.of("format", "receipt", "logIndex", "treeSize", "inclusionProof", "checkpoint");
  public static final int MAX_CHARS = 256 * 1024;

  private BundleJson() {}

  public static String toJson(ReceiptBundle b) {
    ObjectNode o = StrictJson.MAPPER.createObjectNode();
    o.put("format", FORMAT);
    o.set("receipt", ReceiptJson.toNode(b.receipt()));
    o.put("logIndex", b.inclusion().index());
    o.put("treeSize", b.inclusion().treeSize());
    ArrayNode p = o.putArray("inclusionProof");
    b.inclusion().path().forEach(h -> p.add(Base64.getEncoder().encodeToString(h.toByteArray())));
    o.put("checkpoint", b.checkpoint());
    try {
      return StrictJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(o) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public static ReceiptBundle parse(String json) {
    ObjectNode o = StrictJson.object(json, MAX_CHARS, WHAT);
    StrictJson.keys(o, FIELDS, Set.of(), WHAT);
    if (!FORMAT.equals(StrictJson.text(o, "format", WHAT))) {
      throw new ReceiptFormatException("receipt bundle format must be \"" + FORMAT + "\"");
    }
    var receipt = ReceiptJson.fromNode(StrictJson.object(o, "receipt", WHAT));
    long index = StrictJson.integer(o, "logIndex", 0, Long.MAX_VALUE - 1, WHAT);
    long size = StrictJson.integer(o, "treeSize", 1, Long.MAX_VALUE, WHAT);
    JsonNode arr = o.get("inclusionProof");
    if (arr == null || !arr.isArray() || arr.size() > InclusionProof.MAX_PATH) {
      throw new ReceiptFormatException(
          "receipt bundle field 'inclusionProof' must be an array of at most 63 hashes");
    }
    List<Bytes> path = new ArrayList<>();
    for (int i = 0; i < arr.size(); i++) {
      JsonNode h = arr.get(i);
      if (!h.isTextual()) {
        throw new ReceiptFormatException("inclusionProof[" + i + "] must be a base64 string");
      }
      byte[] b;
      try {
        b = Base64.getDecoder().decode(h.textValue());
      } catch (IllegalArgumentException e) {
        throw new ReceiptFormatException("inclusionProof[" + i + "] is not valid base64", e);
      }
      if (b.length != 32) {
        throw new ReceiptFormatException("inclusionProof[" + i + "] must decode to 32 bytes");
      }
      path.add(Bytes.copyOf(b));
    }
    String checkpoint = StrictJson.text(o, "checkpoint", WHAT);
    return StrictJson.check(
        WHAT,
        () -> {
          Note.parse(checkpoint);
          return new ReceiptBundle(receipt, new InclusionProof(index, size, path), checkpoint);
        });
  }
}
