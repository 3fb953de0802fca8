package dev.verity.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.verity.client.VerityApiException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/** HTTP plumbing shared by the client's calls: URLs, JSON, and problem+json errors. */
public final class Transport implements AutoCloseable {
  public static final ObjectMapper JSON = JsonMapper.builder().build();

  private final URI base;
  private final HttpClient http;
  private final Duration timeout;

  public Transport(URI base, Duration connectTimeout, Duration timeout) {
    Objects.requireNonNull(base, "base");
    String s = base.toString();
    this.base = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
    if (!"http".equals(this.base.getScheme()) && !"https".equals(this.base.getScheme())) {
      throw new IllegalArgumentException("node URL must be http:// or https://, got " + base);
    }
    this.timeout = timeout;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(connectTimeout)
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  public URI base() {
    return base;
  }

  /** {@code base + path}, where {@code path} is already encoded. */
  public URI uri(String path) {
    return URI.create(base + path);
  }

  /** Percent-encodes one path segment or query value. */
  public static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  public HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(uri(path)).timeout(timeout);
  }

  /** A request without the overall timeout, for large transfers whose length is unbounded. */
  public HttpRequest.Builder longRequest(String path) {
    return HttpRequest.newBuilder(uri(path));
  }

  public JsonNode getJson(String path) throws IOException {
    return sendJson(request(path).GET().header("Accept", "application/json").build());
  }

  public JsonNode sendJson(HttpRequest request) throws IOException {
    HttpResponse<byte[]> r = send(request, HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() >= 400) {
      throw problem(r.statusCode(), r.body(), request);
    }
    return r.body().length == 0 ? JSON.createObjectNode() : JSON.readTree(r.body());
  }

  public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
      throws IOException {
    try {
      return http.send(request, handler);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while calling " + request.uri());
    } catch (java.net.ConnectException e) {
      throw new java.net.ConnectException(
          "cannot connect to the node at " + base + " (is it running?)");
    }
  }

  /** Turns an error response into a {@link VerityApiException}, reading problem+json if present. */
  public static VerityApiException problem(int status, byte[] body, HttpRequest request) {
    String title = "HTTP " + status;
    String type = "about:blank";
    String detail =
        request.method() + " " + request.uri().getPath() + " failed with HTTP " + status;
    try {
      JsonNode n = body.length == 0 ? null : JSON.readTree(body);
      if (n != null && n.isObject()) {
        type = n.path("type").asText(type);
        title = n.path("title").asText(title);
        detail = n.path("detail").asText(detail);
      }
    } catch (IOException e) {
      // Not problem+json: keep the generic detail naming the call.
    }
    return new VerityApiException(status, type, title, detail);
  }

  /** Reads an error body (bounded) from a streamed response and turns it into a problem. */
  public static VerityApiException problem(HttpResponse<InputStream> r) throws IOException {
    byte[] body;
    try (InputStream in = r.body()) {
      body = in.readNBytes(1 << 20);
    }
    return problem(r.statusCode(), body, r.request());
  }

  @Override
  public void close() {
    http.close();
  }
}
