package dev.verity.node.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a {@link Router} over the JDK's HTTP server, one virtual thread per exchange. Writes every
 * response, maps every failure through {@link ProblemMapper}, and logs one access line per request
 * (method, path, status, size, time; never headers or bodies, which may carry secrets).
 *
 * <p>A client gets {@link #DEFAULT_MAX_REQUEST_SECONDS} to send a whole request (headers and body)
 * before the connection is closed, so slow or stalled senders cannot hold connections forever; idle
 * keep-alive connections close after 30 s (the JDK default). Responses have no time limit (chat
 * completions stream for as long as generation takes). The JDK server reads these limits once per
 * JVM from system properties, so they are set here before the first server starts unless the
 * operator already set them ({@code -Dsun.net.httpserver.maxReqTime=SECONDS} in {@code
 * VERITY_JAVA_OPTS}).
 */
public final class HttpApiServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HttpApiServer.class);
  private static final Logger access = LoggerFactory.getLogger("dev.verity.node.access");

  /**
   * Seconds a client may take to send one request, headers and body (a 1 GiB upload at 10 MB/s).
   */
  public static final long DEFAULT_MAX_REQUEST_SECONDS = 300;

  static final String MAX_REQUEST_TIME_PROPERTY = "sun.net.httpserver.maxReqTime";

  static {
    if (System.getProperty(MAX_REQUEST_TIME_PROPERTY) == null) {
      System.setProperty(MAX_REQUEST_TIME_PROPERTY, Long.toString(DEFAULT_MAX_REQUEST_SECONDS));
    }
  }

  private final Router router;
  private final long maxJsonBytes;
  private final HttpServer server;
  private final ExecutorService executor;
  private final AtomicLong requestCounter = new AtomicLong();
  private final String idPrefix = Long.toHexString(System.nanoTime() & 0xffffff);
  private volatile boolean stopped;

  private HttpApiServer(Router router, long maxJsonBytes, HttpServer server, ExecutorService ex) {
    this.router = router;
    this.maxJsonBytes = maxJsonBytes;
    this.server = server;
    this.executor = ex;
  }

  /** Binds {@code host:port} (port 0 picks a free port) and starts serving. */
  public static HttpApiServer start(Router router, String host, int port, long maxJsonBytes)
      throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 128);
    ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    HttpApiServer api = new HttpApiServer(router, maxJsonBytes, server, executor);
    server.createContext("/", api::handle);
    server.setExecutor(executor);
    server.start();
    return api;
  }

  public InetSocketAddress address() {
    return server.getAddress();
  }

  /**
   * Stops accepting connections, lets exchanges in flight finish for up to {@code grace}, then
   * stops the handler threads.
   */
  public void stop(Duration grace) {
    if (stopped) {
      return;
    }
    stopped = true;
    server.stop((int) Math.max(0, Math.min(Integer.MAX_VALUE, grace.toSeconds())));
    executor.shutdownNow();
  }

  @Override
  public void close() {
    stop(Duration.ofSeconds(5));
  }

  private void handle(HttpExchange exchange) {
    long start = System.nanoTime();
    String id = idPrefix + "-" + requestCounter.incrementAndGet();
    String method = exchange.getRequestMethod();
    String path = exchange.getRequestURI().getRawPath();
    int status = 500;
    long[] written = {0};
    try {
      Response response;
      try {
        response = dispatch(exchange, method, path, id);
      } catch (Throwable e) {
        response = problemResponse(ProblemMapper.map(e, id), path);
      }
      status = response.status();
      write(exchange, response, method.equals("HEAD"), id, written);
    } catch (IOException e) {
      // The client went away mid-response; nothing more can be said to it.
      log.debug(
          "request {} {} {}: connection failed while writing: {}", id, method, path, e.toString());
    } catch (RuntimeException e) {
      log.error("request {} {} {}: failed while writing the response", id, method, path, e);
    } finally {
      exchange.close();
      long ms = Duration.ofNanos(System.nanoTime() - start).toMillis();
      access.info("{} {} {} {}B {}ms id={}", method, path, status, written[0], ms, id);
    }
  }

  private Response dispatch(HttpExchange exchange, String method, String path, String id)
      throws Exception {
    return switch (router.match(method, path)) {
      case Router.Found f ->
          f.route().handler().handle(new Request(exchange, f.params(), maxJsonBytes, id));
      case Router.MethodNotAllowed m ->
          throw new ProblemException(
              Problem.of(
                  405,
                  "method-not-allowed",
                  "Method not allowed",
                  method
                      + " is not allowed on "
                      + path
                      + "; allowed: "
                      + String.join(", ", m.allowed())),
              Map.of("Allow", String.join(", ", m.allowed())));
      case Router.NotFound n ->
          throw ProblemException.notFound("no such endpoint: " + method + " " + path);
    };
  }

  private static Response problemResponse(ProblemMapper.Mapped mapped, String path) {
    Problem p = mapped.problem();
    Map<String, Object> body = new java.util.TreeMap<>(p.extensions());
    body.put("type", p.type());
    body.put("title", p.title());
    body.put("status", p.status());
    body.put("detail", p.detail());
    body.put("instance", path);
    return new Response(
        p.status(), mapped.headers(), new Response.Json(body, Problem.CONTENT_TYPE));
  }

  private static void write(
      HttpExchange exchange, Response response, boolean head, String id, long[] written)
      throws IOException {
    var headers = exchange.getResponseHeaders();
    response.headers().forEach(headers::set);
    headers.set("Verity-Request-Id", id);
    int status = response.status();
    switch (response.body()) {
      // A HEAD answer may carry, in a handler-set Content-Length, the length GET would send.
      case Response.Empty e -> exchange.sendResponseHeaders(status, -1);
      case Response.Json j -> {
        byte[] bytes = Json.MAPPER.writeValueAsBytes(j.value());
        headers.set("Content-Type", j.contentType());
        if (head) {
          headers.set("Content-Length", Long.toString(bytes.length));
          exchange.sendResponseHeaders(status, -1);
        } else {
          exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
          }
          written[0] = bytes.length;
        }
      }
      case Response.Stream s -> {
        try (InputStream in = s.in()) {
          headers.set("Content-Type", s.contentType());
          if (head || s.length() == 0) {
            headers.set("Content-Length", Long.toString(s.length()));
            exchange.sendResponseHeaders(status, -1);
          } else {
            exchange.sendResponseHeaders(status, s.length());
            try (OutputStream out = exchange.getResponseBody()) {
              written[0] = in.transferTo(out);
            }
          }
        }
      }
      case Response.Chunked c -> {
        headers.set("Content-Type", c.contentType());
        if (head) {
          exchange.sendResponseHeaders(status, -1);
        } else {
          exchange.sendResponseHeaders(status, 0);
          try (OutputStream out = exchange.getResponseBody()) {
            c.writer().writeTo(out);
          }
        }
      }
    }
  }
}
