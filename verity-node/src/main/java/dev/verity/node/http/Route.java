package dev.verity.node.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One registered route: an HTTP method and a path pattern such as {@code /v1/models/{name}}, where
 * a {@code {param}} matches exactly one non-empty path segment.
 */
public record Route(String method, String pattern, Handler handler) {
  public Route {
    Objects.requireNonNull(method, "method");
    method = method.toUpperCase(Locale.ROOT);
    Objects.requireNonNull(pattern, "pattern");
    Objects.requireNonNull(handler, "handler");
    if (!pattern.startsWith("/")) {
      throw new IllegalArgumentException("route pattern must start with '/': " + pattern);
    }
    for (String seg : segments(pattern)) {
      if (seg.contains("{") || seg.contains("}")) {
        if (!(seg.startsWith("{") && seg.endsWith("}") && seg.length() > 2)) {
          throw new IllegalArgumentException(
              "route parameter must fill a whole segment, like {name}: " + pattern);
        }
      }
    }
  }

  /** Matches a decoded path; returns the parameter values by name. */
  Optional<Map<String, String>> match(List<String> pathSegments) {
    List<String> pat = segments(pattern);
    if (pat.size() != pathSegments.size()) {
      return Optional.empty();
    }
    Map<String, String> params = new TreeMap<>();
    for (int i = 0; i < pat.size(); i++) {
      String p = pat.get(i);
      String s = pathSegments.get(i);
      if (p.startsWith("{")) {
        if (s.isEmpty()) {
          return Optional.empty();
        }
        params.put(p.substring(1, p.length() - 1), s);
      } else if (!p.equals(s)) {
        return Optional.empty();
      }
    }
    return Optional.of(params);
  }

  static List<String> segments(String path) {
    List<String> out = new ArrayList<>();
    if (path.equals("/")) {
      return out;
    }
    String p = path.substring(1);
    int start = 0;
    while (true) {
      int slash = p.indexOf('/', start);
      if (slash < 0) {
        out.add(p.substring(start));
        return out;
      }
      out.add(p.substring(start, slash));
      start = slash + 1;
    }
  }
}
