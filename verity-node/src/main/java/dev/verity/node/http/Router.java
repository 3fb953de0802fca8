package dev.verity.node.http;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Maps method + path to a handler. Routes are tried in registration order; an exact literal segment
 * and a parameter never overlap in Verity's API, so order only matters for clarity.
 */
public final class Router {
  private final List<Route> routes = new ArrayList<>();

  public Router add(String method, String pattern, Handler handler) {
    Route route = new Route(method, pattern, handler);
    for (Route r : routes) {
      if (r.method().equals(route.method()) && r.pattern().equals(route.pattern())) {
        throw new IllegalStateException("route registered twice: " + method + " " + pattern);
      }
    }
    routes.add(route);
    return this;
  }

  public Router get(String pattern, Handler handler) {
    return add("GET", pattern, handler);
  }

  public Router head(String pattern, Handler handler) {
    return add("HEAD", pattern, handler);
  }

  public Router post(String pattern, Handler handler) {
    return add("POST", pattern, handler);
  }

  public Router put(String pattern, Handler handler) {
    return add("PUT", pattern, handler);
  }

  public Router patch(String pattern, Handler handler) {
    return add("PATCH", pattern, handler);
  }

  public Router delete(String pattern, Handler handler) {
    return add("DELETE", pattern, handler);
  }

  public List<Route> routes() {
    return Collections.unmodifiableList(routes);
  }

  /** The outcome of routing one request. */
  public sealed interface Match {}

  public record Found(Route route, Map<String, String> params) implements Match {}

  public record MethodNotAllowed(List<String> allowed) implements Match {}

  public record NotFound() implements Match {}

  /**
   * Routes a raw (still percent-encoded) path. Segments are decoded one by one so an encoded {@code
   * %2F} stays inside its segment instead of creating a new one.
   */
  public Match match(String method, String rawPath) {
    List<String> segs = new ArrayList<>();
    for (String s : Route.segments(rawPath.isEmpty() ? "/" : rawPath)) {
      segs.add(URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8));
    }
    TreeSet<String> allowed = new TreeSet<>();
    for (Route r : routes) {
      Optional<Map<String, String>> params = r.match(segs);
      if (params.isPresent()) {
        if (r.method().equals(method)) {
          return new Found(r, params.get());
        }
        allowed.add(r.method());
      }
    }
    // HEAD falls back to GET: same headers, no body.
    if (method.equals("HEAD") && allowed.contains("GET")) {
      for (Route r : routes) {
        Optional<Map<String, String>> params = r.match(segs);
        if (params.isPresent() && r.method().equals("GET")) {
          return new Found(r, params.get());
        }
      }
    }
    return allowed.isEmpty() ? new NotFound() : new MethodNotAllowed(List.copyOf(allowed));
  }
}
