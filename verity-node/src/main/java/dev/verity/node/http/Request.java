package dev.verity.node.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** A matched request as handlers see it: path parameters, query, headers and a bounded body. */
public final class Request {
  private final HttpExchange exchange;
  private final Map<String, String> params;
  private final Map<String, String> query;
  private final long maxJsonBytes;
  private final String requestId;

  Request(HttpExchange exchange, Map<String, String> params, long maxJsonBytes, String requestId) {
    this.exchange = exchange;
    this.params = Map.copyOf(params);
    this.query = parseQuery(exchange.getRequestURI().getRawQuery());
    this.maxJsonBytes = maxJsonBytes;
    this.requestId = requestId;
  }

  public String method() {
    return exchange.getRequestMethod();
  }

  public String path() {
    return exchange.getRequestURI().getRawPath();
  }

  public String requestId() {
    return requestId;
  }

  /**
   * Refuses (403) a caller that is not on this machine. Operator actions that make the node fetch a
   * URL the caller names (witness a peer, audit a receipt) are answered only on loopback, so a node
   * bound to a public address cannot be turned into a proxy into its own network.
   */
  public void requireLoopbackCaller(String action) {
    java.net.InetSocketAddress remote = exchange.getRemoteAddress();
    if (remote == null || remote.getAddress() == null || !remote.getAddress().isLoopbackAddress()) {
      throw ProblemException.forbidden(
          action
              + " is an operator action and is only answered to callers on this machine"
              + " (loopback); run it on the node's host");
    }
  }

  /** A path parameter declared in the route pattern; always present when the route matched. */
  public String param(String name) {
    String v = params.get(name);
    if (v == null) {
      throw new IllegalStateException("route has no parameter {" + name + "}");
    }
    return v;
  }

  public Optional<String> query(String name) {
    return Optional.ofNullable(query.get(name));
  }

  public Optional<String> header(String name) {
    return Optional.ofNullable(exchange.getRequestHeaders().getFirst(name));
  }

  /** A header holding a non-negative integer, or a 400 naming the header. */
  public Optional<Long> longHeader(String name) {
    Optional<String> v = header(name);
    if (v.isEmpty()) {
      return Optional.empty();
    }
    try {
      long n = Long.parseLong(v.get().trim());
      if (n < 0) {
        throw new NumberFormatException();
      }
      return Optional.of(n);
    } catch (NumberFormatException e) {
      throw ProblemException.badRequest(
          "header " + name + " must be a non-negative integer, got '" + abbreviate(v.get()) + "'");
    }
  }

  /** The declared {@code Content-Length}, or -1 for a chunked body. */
  public long contentLength() {
    return longHeader("Content-Length").orElse(-1L);
  }

  /**
   * The raw request body. Callers that accept large bodies enforce their own limit. A failure to
   * read it (the client went away) surfaces as {@link BodyReadException}.
   */
  public InputStream body() {
    return new java.io.FilterInputStream(exchange.getRequestBody()) {
      private long count;

      @Override
      public int read() throws IOException {
        try {
          int b = super.read();
          if (b >= 0) {
            count++;
          }
          return b;
        } catch (IOException e) {
          throw failed(e);
        }
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        try {
          int n = super.read(b, off, len);
          if (n > 0) {
            count += n;
          }
          return n;
        } catch (IOException e) {
          throw failed(e);
        }
      }

      private BodyReadException failed(IOException e) {
        return new BodyReadException(
            "request body ended early after " + count + " bytes: " + e.getMessage(), e);
      }
    };
  }

  /** The body as JSON, refusing more than the configured JSON limit with a 413. */
  public JsonNode json() throws IOException {
    long declared = contentLength();
    if (declared > maxJsonBytes) {
      throw ProblemException.tooLarge(
          "request body is "
              + declared
              + " bytes; this node accepts at most "
              + maxJsonBytes
              + " bytes of JSON");
    }
    byte[] bytes = readAtMost(body(), maxJsonBytes);
    if (bytes.length == 0) {
      throw ProblemException.badRequest("request body is empty; expected a JSON document");
    }
    try {
      return Json.MAPPER.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw ProblemException.badRequest(
          "request body is not valid JSON: " + e.getOriginalMessage());
    }
  }

  /** The raw body bytes, refusing more than the JSON limit. */
  public byte[] smallBody() throws IOException {
    return readAtMost(body(), maxJsonBytes);
  }

  private static byte[] readAtMost(InputStream in, long max) throws IOException {
    byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
    if (bytes.length > max) {
      throw ProblemException.tooLarge(
          "request body exceeds this node's limit of " + max + " bytes of JSON");
    }
    return bytes;
  }

  private static Map<String, String> parseQuery(String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String k = eq < 0 ? pair : pair.substring(0, eq);
      String v = eq < 0 ? "" : pair.substring(eq + 1);
      out.putIfAbsent(
          URLDecoder.decode(k, StandardCharsets.UTF_8),
          URLDecoder.decode(v, StandardCharsets.UTF_8));
    }
    return out;
  }

  static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 80) + "…";
  }
}
