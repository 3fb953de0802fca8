package dev.verity.node.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A client that stalls mid-request loses its connection; other clients are served meanwhile. */
class SlowClientTest {

  /** A server in a child JVM: {@code READY <port> <limit>} parsed from its first line. */
  record Child(Process process, int port, String limit) implements AutoCloseable {
    static Child start(String... jvmArgs) throws IOException {
      String java =
          ProcessHandle.current()
              .info()
              .command()
              .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      List<String> cmd = new ArrayList<>(List.of(java));
      cmd.addAll(List.of(jvmArgs));
      cmd.addAll(
          List.of(
              "-cp", System.getProperty("java.class.path"), SlowClientServerChild.class.getName()));
      Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
      BufferedReader out =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII));
      String line = out.readLine();
      if (line == null || !line.startsWith("READY ")) {
        p.destroyForcibly();
        throw new IOException("server child did not start: " + line);
      }
      String[] f = line.split(" ");
      return new Child(p, Integer.parseInt(f[1]), f[2]);
    }

    @Override
    public void close() {
      process.destroyForcibly();
    }
  }

  @Test
  void defaultLimit_isSetWhenTheOperatorSetNone() throws Exception {
    try (Child c = Child.start()) {
      assertThat(c.limit()).isEqualTo(Long.toString(HttpApiServer.DEFAULT_MAX_REQUEST_SECONDS));
    }
  }

  @Test
  void stalledBody_connectionClosedAfterTheLimit_othersStillServed() throws Exception {
    try (Child c = Child.start("-D" + HttpApiServer.MAX_REQUEST_TIME_PROPERTY + "=1");
        Socket slow = new Socket("127.0.0.1", c.port())) {
      assertThat(c.limit()).isEqualTo("1");
      OutputStream out = slow.getOutputStream();
      // Promise 100 bytes of body, send 9, then stall.
      out.write(
          ("POST /v1/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                  + "Content-Length: 100\r\n\r\n{\"x\":\"ab\"")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      slow.setSoTimeout(15_000);
      long t0 = System.nanoTime();
      InputStream in = slow.getInputStream();
      // The server closes the connection: end of stream or a reset, never a response, and well
      // before our own 15 s read timeout.
      int read;
      try {
        read = in.read();
      } catch (java.net.SocketException reset) {
        read = -1;
      }
      double waited = (System.nanoTime() - t0) / 1e9;
      assertThat(read).as("server answered a request it never fully received").isEqualTo(-1);
      assertThat(waited).as("seconds until the stalled connection was closed").isLessThan(10);

      HttpResponse<String> ok =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + c.port() + "/v1/echo"))
                      .header("Content-Type", "application/json")
                      .POST(HttpRequest.BodyPublishers.ofString("{\"x\":\"abc\"}"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.body()).contains("\"bytes\":\"abc\"");
    }
  }
}
