package dev.verity.receipt;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Set;
import java.util.TreeSet;

/**
 * Strict JSON reading shared by the receipt and bundle formats: one object, no duplicate or unknown
 * keys, no trailing content, exact types; every error names the field.
 */
public final class StrictJson {
  public static final ObjectMapper MAPPER = mapper();

  private StrictJson() {}

  private static ObjectMapper mapper() {
    ObjectMapper m = new ObjectMapper();
    m.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    m.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    m.getFactory()
        .setStreamReadConstraints(
            StreamReadConstraints.builder().maxNestingDepth(16).maxNumberLength(32).build());
    return m;
  }

  /** Parses text that must be one JSON object of at most {@code maxChars} characters. */
  public static ObjectNode object(String json, int maxChars, String what) {
    if (json.length() > maxChars) {
      throw new ReceiptFormatException(what + " JSON is longer than " + maxChars + " characters");
    }
    JsonNode n;
    try {
      n = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new ReceiptFormatException(what + " is not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (n == null || !n.isObject()) {
      throw new ReceiptFormatException(what + " must be a JSON object");
    }
    return (ObjectNode) n;
  }

  public static ObjectNode object(JsonNode parent, String field, String what) {
    JsonNode n = parent.get(field);
    if (n == null || !n.isObject()) {
      throw new ReceiptFormatException(what + " field '" + field + "' must be a JSON object");
    }
    return (ObjectNode) n;
  }

  /** Rejects keys outside {@code allowed} and reports the first missing required key. */
  public static void keys(ObjectNode o, Set<String> required, Set<String> optional, String what) {
    Iterator<String> it = o.fieldNames();
    while (it.hasNext()) {
      String k = it.next();
      if (!required.contains(k) && !optional.contains(k)) {
        throw new ReceiptFormatException(what + " has unknown field '" + k + "'");
      }
    }
    for (String k : new TreeSet<>(required)) {
      if (!o.has(k)) {
        throw new ReceiptFormatException(what + " is missing field '" + k + "'");
      }
    }
  }

  public static String text(JsonNode o, String field, String what) {
    JsonNode n = o.get(field);
    if (n == null || !n.isTextual()) {
      throw new ReceiptFormatException(what + " field '" + field + "' must be a string");
    }
    return n.textValue();
  }

  /** An integer in [min, max]; rejects fractions, exponents and strings. */
  public static long integer(JsonNode o, String field, long min, long max, String what) {
    JsonNode n = o.get(field);
    if (n == null || !n.isIntegralNumber() || !n.canConvertToLong()) {
      throw new ReceiptFormatException(what + " field '" + field + "' must be an integer");
    }
    long v = n.longValue();
    if (v < min || v > max) {
      throw new ReceiptFormatException(
          what + " field '" + field + "' must be in [" + min + ", " + max + "], got " + v);
    }
    return v;
  }

  /** Runs a whole-value validation and prefixes its error with what is being read. */
  public static <T> T check(String what, java.util.function.Supplier<T> build) {
    try {
      return build.get();
    } catch (ReceiptFormatException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new ReceiptFormatException("invalid " + what + ": " + e.getMessage(), e);
    }
  }

  /** Runs a field conversion and prefixes its error with the field name. */
  public static <T> T field(String what, String field, java.util.function.Supplier<T> parse) {
    try {
      return parse.get();
    } catch (ReceiptFormatException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new ReceiptFormatException(
          what + " field '" + field + "' is invalid: " + e.getMessage(), e);
    }
  }
}
