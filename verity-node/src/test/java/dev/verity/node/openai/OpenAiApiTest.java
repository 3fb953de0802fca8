package dev.verity.node.openai;

import static dev.verity.node.openai.TinyStoriesNode.PROMPT;
import static dev.verity.node.openai.TinyStoriesNode.REFERENCE_MAX_TOKENS;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.verity.llm.Generation;
import dev.verity.llm.GenerationRequest;
import dev.verity.llm.LlamaModel;
import dev.verity.llm.Prompt;
import dev.verity.llm.TraceMode;
import dev.verity.node.http.Json;
import dev.verity.receipt.Receipt;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The OpenAI-compatible endpoints over a real socket, with the real TinyStories model. */
class OpenAiApiTest {
  @TempDir static Path dir;
  static TinyStoriesNode tiny;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    tiny = TinyStoriesNode.start(dir);
  }

  @AfterAll
  static void stop() {
    tiny.close();
  }

  static HttpResponse<String> post(String path, String json) throws Exception {
    URI uri = tiny.node.url().resolve(path);
    return http.send(
        HttpRequest.newBuilder(uri)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static String chatBody(String model, String extra) {
    return "{\"model\":\""
        + model
        + "\",\"messages\":[{\"role\":\"user\",\"content\":\""
        + PROMPT
        + "\"}]"
        + extra
        + "}";
  }

  /** The {@code data:} payloads of an SSE body, in order. */
  static List<String> events(String body) {
    List<String> out = new ArrayList<>();
    for (String block : body.split("\n\n")) {
      if (block.startsWith("data: ")) {
        out.add(block.substring("data: ".length()));
      }
    }
    return out;
  }

  @Test
  void chat_greedyOnceUponATime_isReferenceText_withVerifiedReceipt() throws Exception {
    var r =
        post(
            "/v1/chat/completions",
            chatBody(
                "tinystories-260k", ",\"temperature\":0,\"max_tokens\":" + REFERENCE_MAX_TOKENS));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode b = Json.MAPPER.readTree(r.body());
    assertThat(b.get("object").asText()).isEqualTo("chat.completion");
    assertThat(b.get("id").asText()).startsWith("chatcmpl-");
    assertThat(b.get("model").asText()).isEqualTo("tinystories-260k@1");
    JsonNode choice = b.get("choices").get(0);
    assertThat(choice.get("index").asInt()).isZero();
    assertThat(choice.get("message").get("role").asText()).isEqualTo("assistant");
    assertThat(choice.get("message").get("content").asText())
        .isEqualTo(TinyStoriesNode.referenceContinuation());
    assertThat(choice.get("finish_reason").asText()).isEqualTo("length");
    assertThat(b.get("usage").get("prompt_tokens").asInt()).isEqualTo(5);
    assertThat(b.get("usage").get("completion_tokens").asInt()).isEqualTo(REFERENCE_MAX_TOKENS);
    assertThat(b.get("usage").get("total_tokens").asInt()).isEqualTo(5 + REFERENCE_MAX_TOKENS);
    Receipt receipt = tiny.verifyReceipt(b.get("verity"), 0f, 1f, List.of());
    assertThat(receipt.requestId()).isEqualTo(b.get("id").asText());
    assertThat(receipt.engineId()).isEqualTo("verity-llm");
    // The node's receipt API finds it by the completion id.
    var byId =
        http.send(
            HttpRequest.newBuilder(tiny.node.url().resolve("/v1/receipts/" + b.get("id").asText()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(byId.statusCode()).isEqualTo(200);
    JsonNode logged = Json.MAPPER.readTree(byId.body());
    assertThat(logged.get("receiptId").asText())
        .isEqualTo(b.get("verity").get("receiptId").asText());
    assertThat(logged.get("logIndex").asLong()).isEqualTo(b.get("verity").get("logIndex").asLong());
  }

  @Test
  void chat_streamed_deltasConcatenateToReference_receiptInLastEventBeforeDone() throws Exception {
    var r =
        post(
            "/v1/chat/completions",
            chatBody(
                "tinystories-260k@1",
                ",\"temperature\":0,\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                    + "\"max_completion_tokens\":"
                    + REFERENCE_MAX_TOKENS));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("text/event-stream");
    List<String> events = events(r.body());
    assertThat(events.getLast()).isEqualTo("[DONE]");
    StringBuilder text = new StringBuilder();
    String finish = null;
    for (String e : events.subList(0, events.size() - 2)) {
      JsonNode c = Json.MAPPER.readTree(e);
      assertThat(c.get("object").asText()).isEqualTo("chat.completion.chunk");
      assertThat(c.has("verity")).isFalse();
      assertThat(c.get("usage").isNull()).isTrue();
      JsonNode ch = c.get("choices").get(0);
      text.append(ch.get("delta").path("content").asText(""));
      if (!ch.get("finish_reason").isNull()) {
        finish = ch.get("finish_reason").asText();
      }
    }
    assertThat(text.toString()).isEqualTo(TinyStoriesNode.referenceContinuation());
    assertThat(finish).isEqualTo("length");
    JsonNode last = Json.MAPPER.readTree(events.get(events.size() - 2));
    assertThat(last.get("choices")).isEmpty();
    assertThat(last.get("usage").get("completion_tokens").asInt()).isEqualTo(REFERENCE_MAX_TOKENS);
    tiny.verifyReceipt(last.get("verity"), 0f, 1f, List.of());
  }

  @Test
  void completions_plainAndStreamed_agree_andCarryReceipts() throws Exception {
    String body =
        "{\"model\":\""
            + tiny.manifest.digest()
            + "\",\"prompt\":\""
            + PROMPT
            + "\",\"temperature\":0,\"max_tokens\":40";
    var plain = post("/v1/completions", body + "}");
    assertThat(plain.statusCode()).as(plain.body()).isEqualTo(200);
    JsonNode b = Json.MAPPER.readTree(plain.body());
    assertThat(b.get("object").asText()).isEqualTo("text_completion");
    String text = b.get("choices").get(0).get("text").asText();
    assertThat(TinyStoriesNode.referenceContinuation()).startsWith(text);
    assertThat(text).isNotEmpty();
    tiny.verifyReceipt(b.get("verity"), 0f, 1f, List.of());

    var streamed = post("/v1/completions", body + ",\"stream\":true}");
    List<String> events = events(streamed.body());
    assertThat(events.getLast()).isEqualTo("[DONE]");
    StringBuilder sb = new StringBuilder();
    JsonNode last = null;
    for (String e : events.subList(0, events.size() - 1)) {
      last = Json.MAPPER.readTree(e);
      assertThat(last.get("object").asText()).isEqualTo("text_completion");
      sb.append(last.get("choices").get(0).get("text").asText());
    }
    assertThat(sb.toString()).isEqualTo(text);
    assertThat(last.get("choices").get(0).get("finish_reason").asText()).isEqualTo("length");
    tiny.verifyReceipt(last.get("verity"), 0f, 1f, List.of());
  }

  @Test
  void sampling_sameSeed_sameText_seedInReceipt() throws Exception {
    String body =
        chatBody(
            "tinystories-260k", ",\"temperature\":0.9,\"top_p\":0.9,\"seed\":42,\"max_tokens\":60");
    JsonNode a = Json.MAPPER.readTree(post("/v1/chat/completions", body).body());
    JsonNode b = Json.MAPPER.readTree(post("/v1/chat/completions", body).body());
    String ta = a.get("choices").get(0).get("message").get("content").asText();
    assertThat(ta).isEqualTo(b.get("choices").get(0).get("message").get("content").asText());
    assertThat(ta).isNotEqualTo(TinyStoriesNode.referenceContinuation().substring(0, ta.length()));
    Receipt r = tiny.verifyReceipt(a.get("verity"), 0.9f, 0.9f, List.of());
    assertThat(r.seed()).isEqualTo(42L);
    // Anyone holding the model re-executes the request from the receipt's inputs, bit for bit.
    try (LlamaModel local =
        LlamaModel.load(
            TinyStoriesNode.tinyllamas().resolve("stories260K.bin"),
            TinyStoriesNode.tinyllamas().resolve("tok512.bin"))) {
      JsonNode v = a.get("verity");
      Generation g =
          local.generate(
              new GenerationRequest(
                  Prompt.tokens(TinyStoriesNode.ints(v.get("promptTokens"))),
                  v.get("maxTokens").asInt(),
                  0.9f,
                  0.9f,
                  r.seed(),
                  TraceMode.HASHES));
      assertThat(g.traceRoot()).isEqualTo(r.traceRoot());
      assertThat(LlmDigests.output(g.completionTokens())).isEqualTo(r.outputDigest());
      assertThat(g.text()).isEqualTo(ta);
    }
  }

  @Test
  void stop_cutsBeforeStopSequence_receiptCoversTokensUpToIt() throws Exception {
    var r =
        post(
            "/v1/chat/completions",
            chatBody(
                "tinystories-260k", ",\"temperature\":0,\"stop\":[\"park\"],\"max_tokens\":100"));
    JsonNode b = Json.MAPPER.readTree(r.body());
    String text = b.get("choices").get(0).get("message").get("content").asText();
    String ref = TinyStoriesNode.referenceContinuation();
    assertThat(text).isEqualTo(ref.substring(0, ref.indexOf("park")));
    assertThat(b.get("choices").get(0).get("finish_reason").asText()).isEqualTo("stop");
    tiny.verifyReceipt(b.get("verity"), 0f, 1f, List.of("park"));
    int generated = b.get("usage").get("completion_tokens").asInt();
    assertThat(generated).isLessThan(100).isEqualTo(b.get("verity").get("completionTokens").size());

    var s =
        post(
            "/v1/chat/completions",
            chatBody(
                "tinystories-260k",
                ",\"temperature\":0,\"stop\":\"park\",\"max_tokens\":100,\"stream\":true"));
    StringBuilder sb = new StringBuilder();
    for (String e : events(s.body())) {
      if (!e.equals("[DONE]")) {
        JsonNode c = Json.MAPPER.readTree(e);
        sb.append(c.get("choices").get(0).get("delta").path("content").asText(""));
      }
    }
    assertThat(sb.toString()).isEqualTo(text);
  }

  @Test
  void maxTokensOverContext_is400NamingContextLength() throws Exception {
    var r = post("/v1/chat/completions", chatBody("tinystories-260k", ",\"max_tokens\":600"));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    JsonNode p = Json.MAPPER.readTree(r.body());
    assertThat(p.get("limit").asText()).isEqualTo("context_length");
    assertThat(p.get("allowed").asInt()).isEqualTo(512);
    assertThat(p.get("detail").asText()).contains("context length");
    assertThat(p.get("error").get("code").asText()).isEqualTo("context_length_exceeded");
    assertThat(p.get("error").get("type").asText()).isEqualTo("invalid_request_error");
  }

  @Test
  void maxTokensOverNodeLimit_is400NamingMaxTokens() throws Exception {
    var r =
        post(
            "/v1/completions",
            "{\"model\":\"tinystories-260k\",\"prompt\":\"a\",\"max_tokens\":5000}");
    assertThat(r.statusCode()).isEqualTo(400);
    JsonNode p = Json.MAPPER.readTree(r.body());
    assertThat(p.get("limit").asText()).isEqualTo("max_tokens");
    assertThat(p.get("error").get("param").asText()).isEqualTo("max_tokens");
    assertThat(p.get("error").get("message").asText()).contains("5000");
  }

  @Test
  void nOtherThanOne_is400NamingN() throws Exception {
    var r = post("/v1/chat/completions", chatBody("tinystories-260k", ",\"n\":2"));
    assertThat(r.statusCode()).isEqualTo(400);
    JsonNode p = Json.MAPPER.readTree(r.body());
    assertThat(p.get("error").get("param").asText()).isEqualTo("n");
    assertThat(p.get("detail").asText()).contains("n must be 1");
  }

  @Test
  void unknownModel_is404ModelNotFound() throws Exception {
    var r = post("/v1/chat/completions", chatBody("no-such-model", ""));
    assertThat(r.statusCode()).isEqualTo(404);
    JsonNode p = Json.MAPPER.readTree(r.body());
    assertThat(p.get("error").get("code").asText()).isEqualTo("model_not_found");
    assertThat(p.get("detail").asText()).contains("no-such-model");
  }

  @Test
  void malformedModelNames_are400Or404NamingModel() throws Exception {
    for (String m : List.of("../etc", "tinystories-260k@", "sha256:zz", "Bad Name@1")) {
      var r = post("/v1/chat/completions", chatBody(m, ""));
      assertThat(r.statusCode()).as(m).isIn(400, 404);
      assertThat(Json.MAPPER.readTree(r.body()).get("error").get("param").asText())
          .as(m)
          .isEqualTo("model");
    }
  }

  @Test
  void missingMessages_is400NamingMessages() throws Exception {
    var r = post("/v1/chat/completions", "{\"model\":\"tinystories-260k\"}");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(Json.MAPPER.readTree(r.body()).get("error").get("param").asText())
        .isEqualTo("messages");
  }

  @Test
  void models_listsTheLanguageModelInOpenAiShape() throws Exception {
    var r =
        http.send(
            HttpRequest.newBuilder(tiny.node.url().resolve("/v1/models")).build(),
            HttpResponse.BodyHandlers.ofString());
    JsonNode b = Json.MAPPER.readTree(r.body());
    assertThat(b.get("object").asText()).isEqualTo("list");
    assertThat(b.get("data").get(0).get("id").asText()).isEqualTo("tinystories-260k@1");
    assertThat(b.get("data").get(0).get("object").asText()).isEqualTo("model");
    assertThat(b.get("data").get(0).get("format").asText()).isEqualTo("llama2c");
  }
}
