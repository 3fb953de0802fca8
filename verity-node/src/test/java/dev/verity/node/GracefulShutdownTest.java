package dev.verity.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.verity.node.config.NodeConfig;
import dev.verity.node.http.Response;
import java.net.ConnectException;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GracefulShutdownTest {
  @Test
  void close_stopsAccepting_butLetsRequestsInFlightFinish(@TempDir Path dir) throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    VerityNode node =
        VerityNode.start(
            NodeConfig.ephemeral(dir),
            List.of(
                NodeFeature.of(
                    router ->
                        router.get(
                            "/v1/test/slow",
                            req -> {
                              entered.countDown();
                              release.await();
                              return Response.ok(Map.of("finished", true));
                            }))));
    int port = node.port();
    CompletableFuture<HttpResponse<String>> inFlight =
        HttpClient.newHttpClient()
            .sendAsync(
                HttpRequest.newBuilder(node.url().resolve("/v1/test/slow")).build(),
                HttpResponse.BodyHandlers.ofString());
    entered.await();
    CompletableFuture<Void> closing = CompletableFuture.runAsync(node::close);
    // The listener closes first: new connections are refused while the request drains.
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThatThrownBy(() -> new Socket("127.0.0.1", port).close())
                    .isInstanceOf(ConnectException.class));
    assertThat(closing).isNotDone();
    release.countDown();
    HttpResponse<String> r = inFlight.get();
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"finished\":true}");
    closing.get();
  }

  @Test
  void close_closesFeaturesAfterDraining(@TempDir Path dir) throws Exception {
    java.util.concurrent.atomic.AtomicReference<NodeServices> seen =
        new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.atomic.AtomicBoolean closed =
        new java.util.concurrent.atomic.AtomicBoolean();
    NodeFeature feature =
        new NodeFeature() {
          @Override
          public List<dev.verity.node.http.ApiModule> start(NodeServices services) {
            seen.set(services);
            return List.of(router -> router.get("/v1/test/ping", req -> Response.ok("pong")));
          }

          @Override
          public void close() {
            closed.set(true);
          }
        };
    VerityNode node = VerityNode.start(NodeConfig.ephemeral(dir), List.of(feature));
    assertThat(seen.get()).isSameAs(node.services());
    assertThat(seen.get().models().list()).isEmpty();
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(node.url().resolve("/v1/test/ping")).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.body()).isEqualTo("\"pong\"");
    assertThat(closed).isFalse();
    node.close();
    assertThat(closed).isTrue();
  }
}
