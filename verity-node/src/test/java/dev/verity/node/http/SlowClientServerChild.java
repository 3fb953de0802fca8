package dev.verity.node.http;

import java.util.Map;

/**
 * Runs an {@link HttpApiServer} in its own JVM for {@link SlowClientTest}: the JDK server reads its
 * request-time limit once per JVM, so each limit needs a fresh process. Prints {@code READY <port>
 * <limit seconds>} and serves until killed.
 */
public final class SlowClientServerChild {
  private SlowClientServerChild() {}

  public static void main(String[] args) throws Exception {
    Router r = new Router();
    r.post("/v1/echo", req -> Response.ok(Map.of("bytes", req.json().path("x").asText())));
    HttpApiServer server = HttpApiServer.start(r, "127.0.0.1", 0, 1 << 16);
    System.out.println(
        "READY "
            + server.address().getPort()
            + " "
            + System.getProperty(HttpApiServer.MAX_REQUEST_TIME_PROPERTY));
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
