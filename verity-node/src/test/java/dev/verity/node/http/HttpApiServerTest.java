package dev.verity.node.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class HttpApiServerTest {
  static HttpApiServer server;
  static HttpClient http = HttpClient.newHttpClient();
  static URI base;

  @BeforeAll
  static void start() throws Exception {
    Router r = new Router();
    r.get("/v1/things/{id}", req -> Response.ok(Map.of("id", req.param("id"))));
    r.post("/v1/things", req -> Response.json(201, Map.of("got", req.json().path("x").asText())));
    r.get(
        "/v1/bad",
        req -> {
          throw new IllegalArgumentException("field 'x' must be positive");
        });
    r.get(
        "/v1/boom",
        req -> {
          throw new IllegalStateException("secret internal state");
        });
    server = HttpApiServer.start(r, "127.0.0.1", 0, 64);
    base = URI.create("http://127.0.0.1:" + server.address().getPort());
  }

  @AfterAll
  static void stop() {
    server.stop(Duration.ZERO);
  }

  static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode json(HttpResponse<String> r) throws Exception {
    return Json.MAPPER.readTree(r.body());
  }

  @Test
  void route_withParam_decodesSegment() throws Exception {
    var r = send(HttpRequest.newBuilder(base.resolve("/v1/things/a%20b")));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(json(r).get("id").asText()).isEqualTo("a b");
  }

  @Test
  void unknownPath_isProblem404WithAllMembers() throws Exception {
    var r = send(HttpRequest.newBuilder(base.resolve("/v1/nothing")));
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    JsonNode p = json(r);
    assertThat(p.get("type").asText()).isEqualTo("urn:verity:problem:not-found");
    assertThat(p.get("title").asText()).isEqualTo("Not found");
    assertThat(p.get("status").asInt()).isEqualTo(404);
    assertThat(p.get("detail").asText()).isEqualTo("no such endpoint: GET /v1/nothing");
    assertThat(p.get("instance").asText()).isEqualTo("/v1/nothing");
  }

  @Test
  void wrongMethod_is405WithAllow() throws Exception {
    var r = send(HttpRequest.newBuilder(base.resolve("/v1/things/1")).DELETE());
    assertThat(r.statusCode()).isEqualTo(405);
    assertThat(r.headers().firstValue("Allow")).hasValue("GET");
    assertThat(json(r).get("detail").asText()).contains("DELETE is not allowed on /v1/things/1");
  }

  @Test
  void illegalArgument_is400WithItsMessage() throws Exception {
    var r = send(HttpRequest.newBuilder(base.resolve("/v1/bad")));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json(r).get("detail").asText()).isEqualTo("field 'x' must be positive");
  }

  @Test
  void unexpectedFailure_is500WithoutInternals() throws Exception {
    var r = send(HttpRequest.newBuilder(base.resolve("/v1/boom")));
    assertThat(r.statusCode()).isEqualTo(500);
    assertThat(r.body()).doesNotContain("secret internal state");
    assertThat(json(r).get("detail").asText()).contains("see its log for request");
  }

  @Test
  void jsonBody_overLimit_is413() throws Exception {
    var r =
        send(
            HttpRequest.newBuilder(base.resolve("/v1/things"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"x\":\"" + "a".repeat(100) + "\"}")));
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(json(r).get("detail").asText()).contains("at most 64 bytes of JSON");
  }

  @Test
  void jsonBody_malformed_is400() throws Exception {
    var r =
        send(
            HttpRequest.newBuilder(base.resolve("/v1/things"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"x\":")));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json(r).get("detail").asText()).startsWith("request body is not valid JSON");
  }

  @Test
  void jsonBody_ok() throws Exception {
    var r =
        send(
            HttpRequest.newBuilder(base.resolve("/v1/things"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"x\":\"y\"}")));
    assertThat(r.statusCode()).isEqualTo(201);
    assertThat(json(r).get("got").asText()).isEqualTo("y");
  }

  @Test
  void head_fallsBackToGet_withLengthAndNoBody() throws Exception {
    var r =
        send(
            HttpRequest.newBuilder(base.resolve("/v1/things/7"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEmpty();
    assertThat(r.headers().firstValueAsLong("Content-Length").orElseThrow())
        .isEqualTo("{\"id\":\"7\"}".length());
  }
}
