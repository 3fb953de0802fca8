package dev.verity.receipt;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.engine.NumericMode;
import dev.verity.log.Rfc9162;
import dev.verity.receipt.eth.EthAddress;
import dev.verity.receipt.eth.EthSignature;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The JSON form of a signed receipt, for API responses and bundle files. Writing always produces
 * the same key order; reading is strict (see {@link StrictJson}). A batch-signed receipt has one
 * more key, {@code "batch"} (size, index, path), right before {@code "signature"}. The signature
 * covers the EIP-712 digest, not these bytes, so JSON formatting never breaks a receipt.
 */
public final class ReceiptJson {
  static final String WHAT = "receipt";
  static final Set<String> FIELDS =
      Set.of(
          "modelDigest",
          "engineId",
          "engineVersion",
          "engineConfigDigest",
          "numericMode",
          "inputDigest",
          "outputDigest",
          "traceRoot",
          "traceLeaves",
          "node",
          "requestId",
          "timeMillis",
          "policy",
          "seed",
          "chainId",
          "verifyingContract",
          "signature");

  static final Set<String> BATCH_FIELDS = Set.of("size", "index", "path");
  private static final Pattern HASH = Pattern.compile("0x[0-9a-f]{64}");

  public static final int MAX_CHARS = 8192;

  private ReceiptJson() {}

  public static ObjectNode toNode(SignedReceipt sr) {
    Receipt r = sr.receipt();
    ObjectNode o = StrictJson.MAPPER.createObjectNode();
    o.put("modelDigest", r.modelDigest().toString());
    o.put("engineId", r.engineId());
    o.put("engineVersion", r.engineVersion());
    o.put("engineConfigDigest", r.engineConfigDigest().toString());
    o.put("numericMode", r.numericMode().name().toLowerCase(Locale.ROOT));
    o.put("inputDigest", r.inputDigest().toString());
    o.put("outputDigest", r.outputDigest().toString());
    o.put("traceRoot", r.traceRoot().toString());
    o.put("traceLeaves", r.traceLeaves());
    o.put("node", r.node().toChecksumString());
    o.put("requestId", r.requestId());
    o.put("timeMillis", r.timeMillis());
    o.put("policy", r.policy().text());
    o.put("seed", Long.toUnsignedString(r.seed()));
    o.put("chainId", sr.domain().chainId());
    o.put("verifyingContract", sr.domain().verifyingContract().toChecksumString());
    sr.batch()
        .ifPresent(
            b -> {
              ObjectNode bo = o.putObject("batch");
              bo.put("size", b.size());
              bo.put("index", b.index());
              ArrayNode path = bo.putArray("path");
              b.path().forEach(h -> path.add("0x" + h.toHex()));
            });
    o.put("signature", sr.signature().toHex());
    return o;
  }

  public static String toJson(SignedReceipt sr) {
    try {
      return StrictJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(toNode(sr));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public static SignedReceipt parse(String json) {
    return fromNode(StrictJson.object(json, MAX_CHARS, WHAT));
  }

  public static SignedReceipt fromNode(ObjectNode o) {
    StrictJson.keys(o, FIELDS, Set.of("batch"), WHAT);
    Receipt r =
        StrictJson.check(
            WHAT,
            () ->
                new Receipt(
                    digest(o, "modelDigest"),
                    StrictJson.text(o, "engineId", WHAT),
                    StrictJson.text(o, "engineVersion", WHAT),
                    digest(o, "engineConfigDigest"),
                    numericMode(StrictJson.text(o, "numericMode", WHAT)),
                    digest(o, "inputDigest"),
                    digest(o, "outputDigest"),
                    digest(o, "traceRoot"),
                    StrictJson.integer(o, "traceLeaves", 0, Receipt.MAX_SAFE, WHAT),
                    address(o, "node"),
                    StrictJson.text(o, "requestId", WHAT),
                    StrictJson.integer(o, "timeMillis", 0, Receipt.MAX_SAFE, WHAT),
                    StrictJson.field(
                        WHAT,
                        "policy",
                        () -> VerificationPolicy.parse(StrictJson.text(o, "policy", WHAT))),
                    seed(StrictJson.text(o, "seed", WHAT))));
    long chainId = StrictJson.integer(o, "chainId", 1, Receipt.MAX_SAFE, WHAT);
    EthAddress contract = address(o, "verifyingContract");
    EthSignature sig =
        StrictJson.field(
            WHAT, "signature", () -> EthSignature.parseHex(StrictJson.text(o, "signature", WHAT)));
    ReceiptDomain domain = new ReceiptDomain(chainId, contract);
    return o.has("batch")
        ? new SignedReceipt(r, domain, sig, batch(o))
        : new SignedReceipt(r, domain, sig);
  }

  /** The "batch" object of a batch-signed receipt: exactly size, index and path. */
  private static BatchProof batch(ObjectNode o) {
    ObjectNode b = StrictJson.object(o, "batch", WHAT);
    String what = WHAT + " batch";
    StrictJson.keys(b, BATCH_FIELDS, Set.of(), what);
    int size = (int) integer(b, "size", 1, BatchProof.MAX_SIZE);
    int index = (int) integer(b, "index", 0, size - 1);
    JsonNode p = b.get("path");
    if (!p.isArray()) {
      throw new ReceiptFormatException("receipt field 'batch.path' must be an array");
    }
    int expected = Rfc9162.inclusionPathLength(index, size);
    if (p.size() != expected) {
      throw new ReceiptFormatException(
          "receipt field 'batch.path' must hold "
              + expected
              + " hashes for index "
              + index
              + " of "
              + size
              + ", got "
              + p.size());
    }
    List<Bytes> path = new ArrayList<>(p.size());
    for (int i = 0; i < p.size(); i++) {
      JsonNode h = p.get(i);
      if (!h.isTextual() || !HASH.matcher(h.textValue()).matches()) {
        throw new ReceiptFormatException(
            "receipt field 'batch.path["
                + i
                + "]' must be 0x followed by 64 lower-case hex digits");
      }
      path.add(Bytes.fromHex(h.textValue().substring(2)));
    }
    return new BatchProof(size, index, path);
  }

  private static long integer(ObjectNode b, String f, long min, long max) {
    JsonNode n = b.get(f);
    if (!n.isIntegralNumber() || !n.canConvertToLong()) {
      throw new ReceiptFormatException("receipt field 'batch." + f + "' must be an integer");
    }
    long v = n.longValue();
    if (v < min || v > max) {
      throw new ReceiptFormatException(
          "receipt field 'batch." + f + "' must be in [" + min + ", " + max + "], got " + v);
    }
    return v;
  }

  private static Digest digest(ObjectNode o, String f) {
    String t = StrictJson.text(o, f, WHAT);
    return StrictJson.field(WHAT, f, () -> Digest.parse(t));
  }

  private static EthAddress address(ObjectNode o, String f) {
    String t = StrictJson.text(o, f, WHAT);
    return StrictJson.field(WHAT, f, () -> EthAddress.parse(t));
  }

  private static NumericMode numericMode(String s) {
    return switch (s) {
      case "bitwise" -> NumericMode.BITWISE;
      case "tolerance" -> NumericMode.TOLERANCE;
      default ->
          throw new ReceiptFormatException(
              "receipt field 'numericMode' must be \"bitwise\" or \"tolerance\", got \""
                  + abbreviate(s)
                  + "\"");
    };
  }

  private static long seed(String s) {
    if (!s.matches("0|[1-9][0-9]{0,19}")) {
      throw new ReceiptFormatException(
          "receipt field 'seed' must be a decimal uint64 string without leading zeros");
    }
    try {
      return Long.parseUnsignedLong(s);
    } catch (NumberFormatException e) {
      throw new ReceiptFormatException("receipt field 'seed' exceeds 2^64 - 1", e);
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "…";
  }
}
