package dev.verity.node.explorer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verity.node.VerityNode;
import dev.verity.node.config.NodeConfig;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The node serves the explorer's static files safely, at /explorer/. */
class ExplorerApiTest {
  @TempDir static Path dir;
  static VerityNode node;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    node = VerityNode.start(NodeConfig.ephemeral(dir));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  static HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(node.url().resolve(path));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void index_isHtml_withStrictCsp_andNoInlineScript() throws Exception {
    HttpResponse<String> r = get("/explorer/");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    String csp = r.headers().firstValue("Content-Security-Policy").orElseThrow();
    assertThat(csp).contains("default-src 'none'", "script-src 'self'", "connect-src 'self'");
    assertThat(csp).doesNotContain("unsafe-inline", "unsafe-eval");
    assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(r.body()).contains("<title>Verity explorer</title>");
    // Every script tag loads a file; none carries code of its own.
    assertThat(r.body()).doesNotContainPattern("<script(?![^>]*\\bsrc=)[^>]*>");
  }

  @Test
  void root_andExplorerWithoutSlash_redirectToExplorer() throws Exception {
    for (String p : new String[] {"/", "/explorer"}) {
      HttpResponse<String> r = get(p);
      assertThat(r.statusCode()).as(p).isEqualTo(302);
      assertThat(r.headers().firstValue("Location")).as(p).hasValue("/explorer/");
    }
  }

  @Test
  void files_haveTheirContentTypes() throws Exception {
    assertThat(get("/explorer/app.js").headers().firstValue("Content-Type"))
        .hasValue("text/javascript; charset=utf-8");
    assertThat(get("/explorer/explorer.css").headers().firstValue("Content-Type"))
        .hasValue("text/css; charset=utf-8");
    assertThat(get("/explorer/favicon.svg").headers().firstValue("Content-Type"))
        .hasValue("image/svg+xml");
  }

  @Test
  void etag_matchingIfNoneMatch_gives304() throws Exception {
    HttpResponse<String> first = get("/explorer/app.js");
    String etag = first.headers().firstValue("ETag").orElseThrow();
    assertThat(first.headers().firstValue("Cache-Control")).hasValue("no-cache");
    HttpResponse<String> again = get("/explorer/app.js", "If-None-Match", etag);
    assertThat(again.statusCode()).isEqualTo(304);
    assertThat(again.body()).isEmpty();
    assertThat(get("/explorer/app.js", "If-None-Match", "\"other\"").statusCode()).isEqualTo(200);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/explorer/..%2Fopenapi.json",
        "/explorer/%2E%2E%2F%2E%2E%2Fdev%2Fverity%2Fnode%2Fopenapi.json",
        "/explorer/..%5Cindex.html",
        "/explorer/.hidden.js",
        "/explorer/App.JS",
        "/explorer/missing.js",
        "/explorer/index.html.class",
        "/explorer/ExplorerApi.class",
        "/explorer/a/b.js"
      })
  void traversalAndUnknownNames_are404(String path) throws Exception {
    HttpResponse<String> r = get(path);
    assertThat(r.statusCode()).as(path).isEqualTo(404);
    assertThat(r.body()).doesNotContain("\"openapi\"");
  }

  @Test
  void rawDotDotPath_neverEscapesTheDirectory() throws Exception {
    // Sent on a raw socket: HTTP clients would normalize the dots away before sending.
    URI u = node.url();
    try (Socket s = new Socket(u.getHost(), u.getPort())) {
      OutputStream out = s.getOutputStream();
      out.write(
          ("GET /explorer/../../dev/verity/node/openapi.json HTTP/1.1\r\nHost: x\r\n"
                  + "Connection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      String resp = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      assertThat(resp).doesNotContain("\"openapi\": \"3.1.0\"");
      assertThat(resp).startsWith("HTTP/1.1 404");
    }
  }

  @Test
  void allowedNames_areFlatAndTyped() {
    assertThat(ExplorerFiles.isAllowedName("app.js")).isTrue();
    assertThat(ExplorerFiles.isAllowedName("pages-models.js")).isTrue();
    assertThat(ExplorerFiles.isAllowedName("..")).isFalse();
    assertThat(ExplorerFiles.isAllowedName("../x.js")).isFalse();
    assertThat(ExplorerFiles.isAllowedName("x.exe")).isFalse();
    assertThat(ExplorerFiles.isAllowedName("x")).isFalse();
  }
}
