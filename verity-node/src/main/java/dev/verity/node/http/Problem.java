package dev.verity.node.http;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * An RFC 9457 problem detail: what the node sends as {@code application/problem+json} for every
 * error. {@code extensions} carries extra members (for example the offending digests) that clients
 * may read; it never holds secrets.
 */
public record Problem(
    String type, String title, int status, String detail, Map<String, Object> extensions) {
  public static final String CONTENT_TYPE = "application/problem+json";

  public Problem {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(detail, "detail");
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("problem status must be 4xx or 5xx, got " + status);
    }
    extensions = Map.copyOf(extensions);
  }

  public static Problem of(int status, String slug, String title, String detail) {
    return new Problem("urn:verity:problem:" + slug, title, status, detail, Map.of());
  }

  public Problem with(String member, Object value) {
    Map<String, Object> ext = new TreeMap<>(extensions);
    ext.put(member, value);
    return new Problem(type, title, status, detail, ext);
  }
}
