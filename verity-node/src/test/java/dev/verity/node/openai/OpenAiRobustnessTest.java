package dev.verity.node.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.verity.hub.manifest.ManifestFile;
import dev.verity.hub.manifest.SignedManifest;
import dev.verity.llm.LlamaModel;
import dev.verity.llm.LlmOptions;
import dev.verity.node.http.Json;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Failure modes: disconnects, corrupt blobs, wrong model kinds, cache eviction, concurrency. */
class OpenAiRobustnessTest {
  static final HttpClient http = HttpClient.newHttpClient();

  static HttpResponse<String> post(TinyStoriesNode t, String path, String json) throws Exception {
    return http.send(
        HttpRequest.newBuilder(t.node.url().resolve(path))
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static String greedy(String model, int maxTokens, boolean stream) {
    return "{\"model\":\""
        + model
        + "\",\"prompt\":\"Once upon a time\",\"temperature\":0,\"max_tokens\":"
        + maxTokens
        + ",\"stream\":"
        + stream
        + "}";
  }

  @Test
  void clientDisconnectMidStream_stopsGeneration_logsNoReceipt_nodeKeepsServing(@TempDir Path dir)
      throws Exception {
    try (TinyStoriesNode t = TinyStoriesNode.start(dir)) {
      long before = t.node.services().receipts().log().size();
      HttpResponse<InputStream> r =
          http.send(
              HttpRequest.newBuilder(t.node.url().resolve("/v1/completions"))
                  .POST(
                      HttpRequest.BodyPublishers.ofString(greedy(TinyStoriesNode.MODEL, 500, true)))
                  .build(),
              HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = r.body()) {
        String first =
            new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
        assertThat(first).startsWith("data: ");
      }
      // The next generation succeeds, and only it is logged.
      var ok = post(t, "/v1/completions", greedy(TinyStoriesNode.MODEL, 10, false));
      assertThat(ok.statusCode()).isEqualTo(200);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> t.node.services().receipts().log().size() == before + 1);
      JsonNode b = Json.MAPPER.readTree(ok.body());
      assertThat(b.get("verity").get("logIndex").asLong()).isEqualTo(before);
    }
  }

  @Test
  void corruptBlobInStore_isRefused_notRun(@TempDir Path dir) throws Exception {
    try (TinyStoriesNode t = TinyStoriesNode.start(dir)) {
      ManifestFile ckpt =
          t.manifest.manifest().files().stream()
              .filter(f -> f.path().equals("stories260K.bin"))
              .findFirst()
              .orElseThrow();
      Path blob;
      try (Stream<Path> s = Files.walk(dir)) {
        blob =
            s.filter(
                    p ->
                        p.getFileName()
                            .toString()
                            .equals(ckpt.digest().toString().substring("sha256:".length())))
                .filter(p -> p.toString().contains("blobs"))
                .findFirst()
                .orElseThrow();
      }
      blob.toFile().setWritable(true);
      try (var ch = Files.newByteChannel(blob, StandardOpenOption.WRITE)) {
        ch.position(1000);
        ch.write(java.nio.ByteBuffer.wrap(new byte[] {42, 42, 42, 42}));
      }
      var r = post(t, "/v1/completions", greedy(TinyStoriesNode.MODEL, 5, false));
      assertThat(r.statusCode()).isEqualTo(500);
      JsonNode p = Json.MAPPER.readTree(r.body());
      assertThat(p.get("type").asText()).isEqualTo("urn:verity:problem:corrupt-blob");
      assertThat(p.get("digest").asText()).isEqualTo(ckpt.digest().toString());
      assertThat(t.node.services().receipts().log().size()).isZero();
    }
  }

  @Test
  void nonLanguageModel_is400NamingItsFormat(@TempDir Path dir, @TempDir Path onnxDir)
      throws Exception {
    try (TinyStoriesNode t = TinyStoriesNode.start(dir)) {
      Files.copy(
          TinyStoriesNode.shared().resolve("models/mnist/mnist-7.onnx"),
          onnxDir.resolve("mnist-7.onnx"));
      TinyStoriesNode.publish(t.node, onnxDir, "mnist", "7");
      var r = post(t, "/v1/completions", greedy("mnist@7", 5, false));
      assertThat(r.statusCode()).isEqualTo(400);
      JsonNode p = Json.MAPPER.readTree(r.body());
      assertThat(p.get("detail").asText()).contains("not a language model").contains("onnx");
      assertThat(p.get("error").get("param").asText()).isEqualTo("model");
    }
  }

  @Test
  void cacheOfOne_evictsLeastRecentlyUsed_andReloadsSameAnswers(@TempDir Path dir)
      throws Exception {
    OpenAiFeature feature = new OpenAiFeature(LlmOptions.DEFAULT, 1, 2);
    try (TinyStoriesNode t = TinyStoriesNode.start(dir, feature)) {
      SignedManifest v2 =
          TinyStoriesNode.publish(t.node, TinyStoriesNode.tinyllamas(), TinyStoriesNode.MODEL, "2");
      String a1 = text(post(t, "/v1/completions", greedy("tinystories-260k@1", 20, false)));
      assertThat(feature.loadedModels()).containsExactly(t.manifest.digest());
      String b = text(post(t, "/v1/completions", greedy("tinystories-260k@2", 20, false)));
      assertThat(feature.loadedModels()).containsExactly(v2.digest());
      String a2 = text(post(t, "/v1/completions", greedy("tinystories-260k@1", 20, false)));
      assertThat(feature.loadedModels()).containsExactly(t.manifest.digest());
      assertThat(a1).isEqualTo(b).isEqualTo(a2).isNotEmpty();
    }
  }

  @Test
  void concurrentRequests_getIdenticalAnswers_andDistinctReceipts(@TempDir Path dir)
      throws Exception {
    try (TinyStoriesNode t = TinyStoriesNode.start(dir);
        ExecutorService pool = Executors.newFixedThreadPool(4)) {
      String body =
          "{\"model\":\"tinystories-260k\",\"messages\":[{\"role\":\"user\",\"content\":\"Tom\"}],"
              + "\"temperature\":0.7,\"seed\":5,\"max_tokens\":40}";
      Callable<JsonNode> call =
          () -> Json.MAPPER.readTree(post(t, "/v1/chat/completions", body).body());
      List<Future<JsonNode>> futures = pool.invokeAll(List.of(call, call, call, call));
      JsonNode first = futures.getFirst().get();
      String text = first.get("choices").get(0).get("message").get("content").asText();
      java.util.Set<Long> indexes = new java.util.HashSet<>();
      for (Future<JsonNode> f : futures) {
        JsonNode b = f.get();
        assertThat(b.get("choices").get(0).get("message").get("content").asText()).isEqualTo(text);
        assertThat(b.get("verity").get("bundle").get("receipt").get("traceRoot").asText())
            .isEqualTo(first.get("verity").get("bundle").get("receipt").get("traceRoot").asText());
        indexes.add(b.get("verity").get("logIndex").asLong());
      }
      assertThat(indexes).hasSize(4);
    }
  }

  @Test
  void ggufModel_sameWeights_sameTextAndTraceRootAsCheckpoint(@TempDir Path dir, @TempDir Path g)
      throws Exception {
    try (TinyStoriesNode t = TinyStoriesNode.start(dir);
        LlamaModel bin =
            LlamaModel.load(
                TinyStoriesNode.tinyllamas().resolve("stories260K.bin"),
                TinyStoriesNode.tinyllamas().resolve("tok512.bin"))) {
      Files.write(g.resolve("stories260K.gguf"), GgufF32.of(bin));
      SignedManifest gguf = TinyStoriesNode.publish(t.node, g, "stories-gguf", "1");
      assertThat(gguf.manifest().format().id()).isEqualTo("gguf");
      JsonNode a =
          Json.MAPPER.readTree(
              post(t, "/v1/completions", greedy("tinystories-260k@1", 60, false)).body());
      var r = post(t, "/v1/completions", greedy("stories-gguf@1", 60, false));
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      JsonNode b = Json.MAPPER.readTree(r.body());
      assertThat(b.get("choices").get(0).get("text").asText())
          .isEqualTo(
              TinyStoriesNode.referenceContinuation()
                  .substring(0, a.get("choices").get(0).get("text").asText().length()))
          .isEqualTo(a.get("choices").get(0).get("text").asText());
      JsonNode ra = a.get("verity").get("bundle").get("receipt");
      JsonNode rb = b.get("verity").get("bundle").get("receipt");
      assertThat(rb.get("traceRoot")).isEqualTo(ra.get("traceRoot"));
      assertThat(rb.get("outputDigest")).isEqualTo(ra.get("outputDigest"));
      assertThat(rb.get("modelDigest").asText()).isNotEqualTo(ra.get("modelDigest").asText());
    }
  }

  @Test
  void leftoverScratchCopies_areRemovedAtStart_andLoadsLeaveNone(@TempDir Path dir)
      throws Exception {
    Path stale = dir.resolve("llm-scratch").resolve("load-123");
    Files.createDirectories(stale);
    Files.writeString(stale.resolve("weights"), "partial copy");
    try (TinyStoriesNode t = TinyStoriesNode.start(dir)) {
      assertThat(stale).doesNotExist();
      text(post(t, "/v1/completions", greedy(TinyStoriesNode.MODEL, 5, false)));
      try (Stream<Path> s = Files.list(dir.resolve("llm-scratch"))) {
        assertThat(s.toList()).isEmpty();
      }
    }
  }

  static String text(HttpResponse<String> r) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return Json.MAPPER.readTree(r.body()).get("choices").get(0).get("text").asText();
  }
}
