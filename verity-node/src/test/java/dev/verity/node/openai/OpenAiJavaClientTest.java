package dev.verity.node.openai;

import static dev.verity.node.openai.TinyStoriesNode.PROMPT;
import static dev.verity.node.openai.TinyStoriesNode.REFERENCE_MAX_TOKENS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.ObjectMappers;
import com.openai.core.RequestOptions;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.models.Model;
import dev.verity.node.http.Json;
import dev.verity.receipt.Receipt;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official OpenAI Java library (com.openai:openai-java), unchanged but for its base URL,
 * against a node serving TinyStories: with response validation on, so every answer must have the
 * shapes the library's models require.
 */
class OpenAiJavaClientTest {
  @TempDir static Path dir;
  static TinyStoriesNode tiny;
  static OpenAIClient client;

  @BeforeAll
  static void start() throws Exception {
    tiny = TinyStoriesNode.start(dir);
    client =
        OpenAIOkHttpClient.builder()
            .baseUrl(tiny.node.url() + "/v1")
            .apiKey("not-needed")
            .maxRetries(0)
            .responseValidation(true)
            .build();
  }

  @AfterAll
  static void stop() {
    client.close();
    tiny.close();
  }

  static ChatCompletionCreateParams.Builder greedyChat() {
    return ChatCompletionCreateParams.builder()
        .model(TinyStoriesNode.MODEL + "@1")
        .addUserMessage(PROMPT)
        .temperature(0.0)
        .maxCompletionTokens(REFERENCE_MAX_TOKENS);
  }

  static JsonNode raw(JsonValue value) throws Exception {
    return Json.MAPPER.readTree(ObjectMappers.jsonMapper().writeValueAsString(value));
  }

  @Test
  void chatCompletion_greedy_isReferenceText_andReceiptVerifies() throws Exception {
    ChatCompletion c = client.chat().completions().create(greedyChat().build());
    assertThat(c.choices()).hasSize(1);
    assertThat(c.choices().getFirst().message().content())
        .hasValue(TinyStoriesNode.referenceContinuation());
    assertThat(c.choices().getFirst().finishReason())
        .isEqualTo(ChatCompletion.Choice.FinishReason.LENGTH);
    assertThat(c.usage().orElseThrow().completionTokens()).isEqualTo(REFERENCE_MAX_TOKENS);
    assertThat(c.model()).isEqualTo("tinystories-260k@1");
    JsonNode verity = raw(c._additionalProperties().get("verity"));
    Receipt r = tiny.verifyReceipt(verity, 0f, 1f, List.of());
    assertThat(r.requestId()).isEqualTo(c.id());
  }

  @Test
  void chatCompletion_streaming_isReferenceText_andLastChunkCarriesReceipt() throws Exception {
    StringBuilder text = new StringBuilder();
    List<ChatCompletionChunk> chunks = new ArrayList<>();
    try (StreamResponse<ChatCompletionChunk> s =
        client
            .chat()
            .completions()
            .createStreaming(
                greedyChat()
                    .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
                    .build())) {
      s.stream()
          .forEach(
              chunk -> {
                chunks.add(chunk);
                chunk.choices().forEach(ch -> ch.delta().content().ifPresent(text::append));
              });
    }
    assertThat(text.toString()).isEqualTo(TinyStoriesNode.referenceContinuation());
    assertThat(chunks.size()).isGreaterThan(10);
    ChatCompletionChunk last = chunks.getLast();
    assertThat(last.usage().orElseThrow().totalTokens()).isEqualTo(5 + REFERENCE_MAX_TOKENS);
    for (ChatCompletionChunk c : chunks.subList(0, chunks.size() - 1)) {
      assertThat(c._additionalProperties()).doesNotContainKey("verity");
    }
    tiny.verifyReceipt(raw(last._additionalProperties().get("verity")), 0f, 1f, List.of());
  }

  @Test
  void completion_plainAndStreaming_areReferenceText() throws Exception {
    CompletionCreateParams params =
        CompletionCreateParams.builder()
            .model(TinyStoriesNode.MODEL)
            .prompt(PROMPT)
            .temperature(0.0)
            .maxTokens(REFERENCE_MAX_TOKENS)
            .build();
    Completion c = client.completions().create(params);
    assertThat(c.choices().getFirst().text()).isEqualTo(TinyStoriesNode.referenceContinuation());
    tiny.verifyReceipt(raw(c._additionalProperties().get("verity")), 0f, 1f, List.of());

    StringBuilder text = new StringBuilder();
    List<Completion> chunks = new ArrayList<>();
    // OpenAI's own server sends "finish_reason": null in every streamed text_completion chunk but
    // the last, which this library's strict validation rejects; so, as for OpenAI, it is off here.
    RequestOptions lenient = RequestOptions.builder().responseValidation(false).build();
    try (StreamResponse<Completion> s = client.completions().createStreaming(params, lenient)) {
      s.stream()
          .forEach(
              chunk -> {
                chunks.add(chunk);
                chunk.choices().forEach(ch -> text.append(ch.text()));
              });
    }
    assertThat(text.toString()).isEqualTo(TinyStoriesNode.referenceContinuation());
    tiny.verifyReceipt(
        raw(chunks.getLast()._additionalProperties().get("verity")), 0f, 1f, List.of());
  }

  @Test
  void models_listAndRetrieve_inOpenAiShape() {
    List<String> ids = client.models().list().data().stream().map(Model::id).toList();
    assertThat(ids).contains("tinystories-260k@1");
    Model one = client.models().retrieve("tinystories-260k@1");
    assertThat(one.id()).isEqualTo("tinystories-260k@1");
    assertThat(one.ownedBy()).isEqualTo(TinyStoriesNode.PUBLISHER.verifyingKey().keyId());
    assertThatThrownBy(() -> client.models().retrieve("tinystories-260k@9"))
        .isInstanceOf(NotFoundException.class);
  }

  @Test
  void overContextLength_isBadRequest_withOpenAiErrorFields() {
    assertThatThrownBy(
            () ->
                client.chat().completions().create(greedyChat().maxCompletionTokens(1000).build()))
        .isInstanceOfSatisfying(
            BadRequestException.class,
            e -> {
              assertThat(e.statusCode()).isEqualTo(400);
              assertThat(e.code()).hasValue("context_length_exceeded");
              assertThat(e.type()).hasValue("invalid_request_error");
              assertThat(e.getMessage()).contains("context length");
            });
  }

  @Test
  void unknownModel_isNotFound() {
    assertThatThrownBy(
            () -> client.chat().completions().create(greedyChat().model("nope@9").build()))
        .isInstanceOfSatisfying(
            NotFoundException.class, e -> assertThat(e.code()).hasValue("model_not_found"));
  }
}
