package dev.verity.client.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.verity.receipt.eth.EthAddress;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Failover and hedging against real HTTP servers on loopback: answering, down, slow, failing. */
class FailoverTest {
  private final List<HttpServer> servers = new ArrayList<>();
  private final CountDownLatch release = new CountDownLatch(1);
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @AfterEach
  void stop() {
    release.countDown();
    servers.forEach(s -> s.stop(0));
  }

  private Candidate server(int id, String body, int status, Duration delay, AtomicInteger hits)
      throws IOException {
    HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    s.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
    s.createContext(
        "/",
        ex -> {
          hits.incrementAndGet();
          try {
            release.await(delay.toMillis(), TimeUnit.MILLISECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          byte[] b = body.getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(status, b.length);
          ex.getResponseBody().write(b);
          ex.close();
        });
    s.start();
    servers.add(s);
    return candidate(id, URI.create("http://127.0.0.1:" + s.getAddress().getPort()));
  }

  /** A loopback port nothing listens on. */
  private static Candidate down(int id) throws IOException {
    int port;
    try (ServerSocket ss = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = ss.getLocalPort();
    }
    return candidate(id, URI.create("http://127.0.0.1:" + port));
  }

  private static Candidate candidate(int id, URI endpoint) {
    return new Candidate(
        EthAddress.parse(String.format("0x%040x", 100 + id)),
        EthAddress.parse(String.format("0x%040x", id)),
        endpoint,
        BigInteger.ONE);
  }

  private String get(Candidate c) throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(c.endpoint().resolve("/x"))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("status " + r.statusCode());
    }
    return r.body();
  }

  private static final RetryPolicy NO_HEDGE =
      new RetryPolicy(
          4, Duration.ofMillis(20), Duration.ofMillis(100), Duration.ZERO, Duration.ofSeconds(10));

  @Test
  void call_firstNodeDown_failsOverToNextAfterBackoff() throws Exception {
    AtomicInteger hits = new AtomicInteger();
    Candidate good = server(2, "answer", 200, Duration.ZERO, hits);
    Routed<String> r = Failover.call(List.of(down(1), good), NO_HEDGE, e -> true, this::get);
    assertThat(r.value()).isEqualTo("answer");
    assertThat(r.node()).isEqualTo(good);
    assertThat(r.failedOver()).isTrue();
    assertThat(r.attempts()).hasSize(2);
    assertThat(r.attempts().get(0).outcome()).startsWith("failed: ");
    assertThat(r.attempts().get(1).ok()).isTrue();
  }

  @Test
  void call_serverErrors_thenSuccess_triesEachOnce() throws Exception {
    AtomicInteger h1 = new AtomicInteger();
    AtomicInteger h2 = new AtomicInteger();
    AtomicInteger h3 = new AtomicInteger();
    Candidate a = server(1, "broken", 503, Duration.ZERO, h1);
    Candidate b = server(2, "broken", 500, Duration.ZERO, h2);
    Candidate c = server(3, "fine", 200, Duration.ZERO, h3);
    Routed<String> r = Failover.call(List.of(a, b, c), NO_HEDGE, e -> true, this::get);
    assertThat(r.value()).isEqualTo("fine");
    assertThat(List.of(h1.get(), h2.get(), h3.get())).containsExactly(1, 1, 1);
  }

  @Test
  void call_allDown_throwsListingEveryAttempt() throws Exception {
    List<Candidate> all = List.of(down(1), down(2), down(3));
    assertThatThrownBy(() -> Failover.call(all, NO_HEDGE, e -> true, this::get))
        .isInstanceOf(NoNodeAnsweredException.class)
        .hasMessageContaining("3 tried")
        .satisfies(e -> assertThat(((NoNodeAnsweredException) e).attempts()).hasSize(3));
  }

  @Test
  void call_notRetryable_stopsAtFirstFailure() throws Exception {
    AtomicInteger h1 = new AtomicInteger();
    AtomicInteger h2 = new AtomicInteger();
    Candidate a = server(1, "bad request", 400, Duration.ZERO, h1);
    Candidate b = server(2, "fine", 200, Duration.ZERO, h2);
    assertThatThrownBy(() -> Failover.call(List.of(a, b), NO_HEDGE, e -> false, this::get))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("status 400");
    assertThat(h2.get()).isZero();
  }

  @Test
  void call_slowNode_isHedged_andTheFastAnswerWins() throws Exception {
    AtomicInteger slowHits = new AtomicInteger();
    AtomicInteger fastHits = new AtomicInteger();
    Candidate slow = server(1, "slow", 200, Duration.ofSeconds(20), slowHits);
    Candidate fast = server(2, "fast", 200, Duration.ZERO, fastHits);
    RetryPolicy hedge = NO_HEDGE.withHedgeAfter(Duration.ofMillis(200));
    long t0 = System.nanoTime();
    Routed<String> r = Failover.call(List.of(slow, fast), hedge, e -> true, this::get);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(r.value()).isEqualTo("fast");
    assertThat(ms).isLessThan(5_000);
    assertThat(r.attempts()).extracting(Attempt::outcome).containsExactly("ok", "abandoned");
    assertThat(r.attempts().get(0).hedged()).isTrue();
    assertThat(slowHits.get()).isEqualTo(1);
  }

  @Test
  void call_fastFirstNode_isNotHedged() throws Exception {
    AtomicInteger h1 = new AtomicInteger();
    AtomicInteger h2 = new AtomicInteger();
    Candidate a = server(1, "first", 200, Duration.ZERO, h1);
    Candidate b = server(2, "second", 200, Duration.ZERO, h2);
    RetryPolicy hedge = NO_HEDGE.withHedgeAfter(Duration.ofSeconds(10));
    Routed<String> r = Failover.call(List.of(a, b), hedge, e -> true, this::get);
    assertThat(r.value()).isEqualTo("first");
    assertThat(h2.get()).isZero();
    assertThat(r.failedOver()).isFalse();
  }

  @Test
  void call_attemptTimeout_countsAsFailure_andFailsOver() throws Exception {
    AtomicInteger h1 = new AtomicInteger();
    AtomicInteger h2 = new AtomicInteger();
    Candidate slow = server(1, "slow", 200, Duration.ofSeconds(20), h1);
    Candidate fast = server(2, "fast", 200, Duration.ZERO, h2);
    // Generous enough that the fast node's first answer (connection set-up, JIT) fits on a
    // loaded machine; the slow node still sleeps far longer than this.
    RetryPolicy p = NO_HEDGE.withAttemptTimeout(Duration.ofSeconds(3));
    Routed<String> r = Failover.call(List.of(slow, fast), p, e -> true, this::get);
    assertThat(r.value()).isEqualTo("fast");
    assertThat(r.attempts()).extracting(Attempt::outcome).containsExactly("timed out", "ok");
  }

  @Test
  void backoff_doublesUpToTheMaximum() {
    RetryPolicy p =
        new RetryPolicy(
            5,
            Duration.ofMillis(100),
            Duration.ofMillis(350),
            Duration.ZERO,
            Duration.ofSeconds(1));
    assertThat(List.of(p.backoff(1), p.backoff(2), p.backoff(3), p.backoff(9)))
        .containsExactly(
            Duration.ofMillis(100),
            Duration.ofMillis(200),
            Duration.ofMillis(350),
            Duration.ofMillis(350));
  }
}
