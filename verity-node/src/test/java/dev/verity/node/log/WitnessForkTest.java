package dev.verity.node.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.verity.core.Digest;
import dev.verity.engine.EngineInfo;
import dev.verity.engine.NumericMode;
import dev.verity.log.note.Note;
import dev.verity.log.note.VerifierKey;
import dev.verity.log.witness.CosignatureV1;
import dev.verity.node.VerityNode;
import dev.verity.node.config.NodeConfig;
import dev.verity.node.http.Json;
import dev.verity.node.receipt.ReceiptDraft;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Witnessing between real nodes over loopback: periodic witnessing of a configured peer delivers
 * cosignatures to it, and a peer whose log is rewritten under the same key (a fork) is caught, with
 * the evidence kept on disk and served.
 */
class WitnessForkTest {
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final EngineInfo ENGINE =
      EngineInfo.of("strict", "0.1.0", Map.of("threads", "1"), NumericMode.BITWISE);

  static void issue(VerityNode node, String prefix, int n) throws Exception {
    for (int i = 0; i < n; i++) {
      node.services()
          .receipts()
          .issue(
              ReceiptDraft.of(
                      Digest.of("m".getBytes()),
                      ENGINE,
                      Digest.of((prefix + i).getBytes()),
                      Digest.of((prefix + "out" + i).getBytes()))
                  .withRequestId(prefix + i));
    }
  }

  static JsonNode get(URI base, String path) throws Exception {
    HttpResponse<byte[]> r =
        HTTP.send(
            HttpRequest.newBuilder(base.resolve(path)).build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.statusCode()).isEqualTo(200);
    return Json.MAPPER.readTree(r.body());
  }

  static JsonNode witnessNow(URI witness, URI peer) throws Exception {
    HttpResponse<byte[]> r =
        HTTP.send(
            HttpRequest.newBuilder(witness.resolve("/v1/witness/peers"))
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"url\":\"" + peer + "\"}", StandardCharsets.UTF_8))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.statusCode()).isEqualTo(200);
    return Json.MAPPER.readTree(r.body()).get("results").get(0);
  }

  @Test
  void configuredPeer_isWitnessedPeriodically_andItsCheckpointCarriesTheCosignature(
      @TempDir Path a, @TempDir Path w) throws Exception {
    try (VerityNode peer = VerityNode.start(NodeConfig.ephemeral(a))) {
      issue(peer, "p", 3);
      NodeConfig wc =
          NodeConfig.ephemeral(w)
              .withWitnessPeers(List.of(peer.url()))
              .withWitnessInterval(Duration.ofMillis(200));
      try (VerityNode witness = VerityNode.start(wc)) {
        VerifierKey wkey =
            VerifierKey.parse(get(witness.url(), "/v1/witness").get("witness").asText());
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> peer.services().receipts().latestCosigned().isPresent());
        Note cosigned = Note.parse(peer.services().receipts().latestCosigned().get());
        CosignatureV1.verify(cosigned, wkey);
        // The peer serves it on /checkpoint while its tree has not grown.
        Note served =
            Note.parse(
                HTTP.send(
                        HttpRequest.newBuilder(peer.url().resolve("/checkpoint")).build(),
                        HttpResponse.BodyHandlers.ofString())
                    .body());
        CosignatureV1.verify(served, wkey);
      }
    }
  }

  @Test
  void rewrittenLogUnderTheSameKey_isAFork_withEvidenceKeptAndServed(
      @TempDir Path a, @TempDir Path b, @TempDir Path w) throws Exception {
    try (VerityNode witness = VerityNode.start(NodeConfig.ephemeral(w))) {
      try (VerityNode honest = VerityNode.start(NodeConfig.ephemeral(a))) {
        issue(honest, "h", 3);
        JsonNode r = witnessNow(witness.url(), honest.url());
        assertThat(r.get("outcome").asText()).isEqualTo("cosigned");
        assertThat(r.get("size").asLong()).isEqualTo(3);
      }
      // The same operator keys, another history: what a log that rewrites itself looks like.
      Files.createDirectories(b.resolve("keys"));
      for (String k : List.of("receipt.key", "log.key")) {
        Files.copy(a.resolve("keys").resolve(k), b.resolve("keys").resolve(k));
      }
      try (VerityNode forked = VerityNode.start(NodeConfig.ephemeral(b))) {
        issue(forked, "f", 5);
        JsonNode r = witnessNow(witness.url(), forked.url());
        assertThat(r.get("outcome").asText()).isEqualTo("fork");
        assertThat(r.get("kind").asText()).isEqualTo("CONSISTENCY_PROOF_FAILED");
        JsonNode forks = get(witness.url(), "/v1/log/forks").get("forks");
        assertThat(forks).hasSize(1);
        assertThat(forks.get(0).get("earlierCheckpoint").asText()).contains("\n3\n");
        assertThat(forks.get(0).get("laterCheckpoint").asText()).contains("\n5\n");
        try (Stream<Path> files = Files.list(w.resolve("witness/forks"))) {
          assertThat(files.count()).isEqualTo(1);
        }
        // Nothing was cosigned for the forked view.
        assertThat(forked.services().receipts().latestCosigned()).isEmpty();
      }
    }
  }
}
