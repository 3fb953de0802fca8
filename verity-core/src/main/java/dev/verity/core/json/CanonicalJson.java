package dev.verity.core.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.verity.core.Bytes;
import dev.verity.core.FormatException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Verity's canonical JSON: one byte sequence per value, so that hashes and signatures over JSON are
 * stable.
 *
 * <p>Rules (a subset of RFC 8785 JCS restricted to integers):
 *
 * <ul>
 *   <li>UTF-8, no byte order mark, no whitespace outside strings.
 *   <li>Object members sorted by key, comparing keys as sequences of UTF-16 code units (Java's
 *       {@link String#compareTo}); duplicate keys are impossible (Jackson trees) and rejected on
 *       parse.
 *   <li>Strings: {@code "} and {@code \} escaped as {@code \"} and {@code \\}; U+0008, U+0009,
 *       U+000A, U+000C, U+000D as {@code \b \t \n \f \r}; other code points below U+0020 as {@code
 *       \}{@code u00xx} with lower-case hex; everything else literally in UTF-8. Unpaired
 *       surrogates are rejected.
 *   <li>Numbers: integers only, in shortest decimal form ({@code -0} is {@code 0}). Fractions and
 *       exponents are rejected: Verity's signed formats carry no floating-point values.
 *   <li>{@code true}, {@code false}, {@code null} as themselves.
 * </ul>
 */
public final class CanonicalJson {
  private static final ObjectMapper STRICT =
      JsonMapper.builder(
              JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
          .build();

  private CanonicalJson() {}

  /** A new empty object node for building documents. */
  public static ObjectNode object() {
    return JsonNodeFactory.instance.objectNode();
  }

  /** The node factory used for arrays and values. */
  public static JsonNodeFactory nodes() {
    return JsonNodeFactory.instance;
  }

  /**
   * Parses JSON strictly: exactly one value, no trailing content, no duplicate keys, no comments,
   * no NaN. Does not require canonical form; see {@link #parseCanonical}.
   */
  public static JsonNode parse(byte[] json, String what) throws FormatException {
    if (json == null || json.length == 0) {
      throw new FormatException(what + " is empty");
    }
    try {
      JsonNode node = STRICT.readTree(json);
      if (node == null || node.isMissingNode()) {
        throw new FormatException(what + " is empty");
      }
      return node;
    } catch (FormatException e) {
      throw e;
    } catch (Exception e) {
      throw new FormatException(what + " is not valid JSON: " + firstLine(e.getMessage()), e);
    }
  }

  /** Like {@link #parse} but also requires the bytes to be exactly the canonical encoding. */
  public static JsonNode parseCanonical(byte[] json, String what) throws FormatException {
    JsonNode node = parse(json, what);
    Bytes canonical;
    try {
      canonical = encode(node);
    } catch (IllegalArgumentException e) {
      throw new FormatException(what + " cannot be canonical JSON: " + e.getMessage(), e);
    }
    if (!canonical.equals(Bytes.copyOf(json))) {
      throw new FormatException(
          what + " is not in canonical JSON form (sorted keys, no whitespace, integers only)");
    }
    return node;
  }

  /**
   * The canonical bytes of {@code node}.
   *
   * @throws IllegalArgumentException if the tree holds a non-integer number, binary or POJO node,
   *     or a string with an unpaired surrogate
   */
  public static Bytes encode(JsonNode node) {
    StringBuilder sb = new StringBuilder();
    write(node, sb);
    return Bytes.copyOf(sb.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static void write(JsonNode node, StringBuilder sb) {
    switch (node.getNodeType()) {
      case OBJECT -> {
        List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
          entries.add(it.next());
        }
        entries.sort(Map.Entry.comparingByKey());
        sb.append('{');
        boolean first = true;
        for (Map.Entry<String, JsonNode> e : entries) {
          if (!first) {
            sb.append(',');
          }
          first = false;
          writeString(e.getKey(), sb);
          sb.append(':');
          write(e.getValue(), sb);
        }
        sb.append('}');
      }
      case ARRAY -> {
        sb.append('[');
        for (int i = 0; i < node.size(); i++) {
          if (i > 0) {
            sb.append(',');
          }
          write(node.get(i), sb);
        }
        sb.append(']');
      }
      case STRING -> writeString(node.textValue(), sb);
      case NUMBER -> {
        if (!node.isIntegralNumber()) {
          throw new IllegalArgumentException(
              "canonical JSON allows integers only, got " + node.asText());
        }
        sb.append(node.bigIntegerValue().toString());
      }
      case BOOLEAN -> sb.append(node.booleanValue() ? "true" : "false");
      case NULL -> sb.append("null");
      default ->
          throw new IllegalArgumentException(
              "canonical JSON cannot encode a " + node.getNodeType() + " node");
    }
  }

  private static void writeString(String s, StringBuilder sb) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          throw new IllegalArgumentException("string contains an unpaired surrogate");
        }
        sb.append(c).append(s.charAt(++i));
        continue;
      }
      if (Character.isLowSurrogate(c)) {
        throw new IllegalArgumentException("string contains an unpaired surrogate");
      }
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\b' -> sb.append("\\b");
        case '\t' -> sb.append("\\t");
        case '\n' -> sb.append("\\n");
        case '\f' -> sb.append("\\f");
        case '\r' -> sb.append("\\r");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable input";
    }
    int nl = message.indexOf('\n');
    String line = nl < 0 ? message : message.substring(0, nl);
    return line.length() <= 200 ? line : line.substring(0, 200) + "…";
  }
}
