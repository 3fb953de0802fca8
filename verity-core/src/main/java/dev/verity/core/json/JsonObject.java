package dev.verity.core.json;

import com.fasterxml.jackson.databind.JsonNode;
import dev.verity.core.FormatException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Typed, strict access to the members of a parsed JSON object. Every error names the member by its
 * dotted path (e.g. {@code predicate.files[2].size}) and says what was expected.
 */
public final class JsonObject {
  private final JsonNode node;
  private final String path;

  private JsonObject(JsonNode node, String path) {
    this.node = node;
    this.path = path;
  }

  /** Wraps {@code node}, which must be an object; {@code path} names it in error messages. */
  public static JsonObject of(JsonNode node, String path) throws FormatException {
    if (node == null || !node.isObject()) {
      throw new FormatException(path + ": expected a JSON object, got " + describe(node));
    }
    return new JsonObject(node, path);
  }

  public String path() {
    return path;
  }

  public JsonNode node() {
    return node;
  }

  /** Rejects members not in {@code allowed}, naming them. */
  public JsonObject allowOnly(Set<String> allowed) throws FormatException {
    Set<String> unknown = new TreeSet<>();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!allowed.contains(name)) {
        unknown.add(name);
      }
    }
    if (!unknown.isEmpty()) {
      throw new FormatException(
          path + ": unknown field(s) " + unknown + "; allowed: " + new TreeSet<>(allowed));
    }
    return this;
  }

  public boolean has(String name) {
    return node.has(name);
  }

  public String requireString(String name) throws FormatException {
    JsonNode v = node.get(name);
    if (v == null) {
      throw new FormatException(child(name) + ": missing required string");
    }
    if (!v.isTextual()) {
      throw new FormatException(child(name) + ": expected a string, got " + describe(v));
    }
    return v.textValue();
  }

  /** The string member, or {@code null} if absent. Present but not a string is an error. */
  public String optionalString(String name) throws FormatException {
    JsonNode v = node.get(name);
    if (v == null) {
      return null;
    }
    if (!v.isTextual()) {
      throw new FormatException(child(name) + ": expected a string, got " + describe(v));
    }
    return v.textValue();
  }

  public long requireLong(String name) throws FormatException {
    JsonNode v = node.get(name);
    if (v == null) {
      throw new FormatException(child(name) + ": missing required integer");
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw new FormatException(
          child(name) + ": expected an integer in the 64-bit range, got " + describe(v));
    }
    return v.longValue();
  }

  public JsonObject requireObject(String name) throws FormatException {
    JsonNode v = node.get(name);
    if (v == null) {
      throw new FormatException(child(name) + ": missing required object");
    }
    return of(v, child(name));
  }

  /** The array member's elements. */
  public List<JsonNode> requireArray(String name) throws FormatException {
    JsonNode v = node.get(name);
    if (v == null) {
      throw new FormatException(child(name) + ": missing required array");
    }
    if (!v.isArray()) {
      throw new FormatException(child(name) + ": expected an array, got " + describe(v));
    }
    List<JsonNode> out = new ArrayList<>(v.size());
    v.forEach(out::add);
    return out;
  }

  /** The path of member {@code name}, for error messages. */
  public String child(String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  /** A short description of a node's type for error messages. */
  public static String describe(JsonNode v) {
    if (v == null || v.isMissingNode()) {
      return "nothing";
    }
    return switch (v.getNodeType()) {
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      default -> v.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
    };
  }
}
