package dev.verity.node.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.verity.node.http.Json;
import dev.verity.node.http.ProblemException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Request parsing: every refusal names the parameter, in the problem and the OpenAI error. */
class CompletionRequestTest {
  static JsonNode json(String s) throws Exception {
    return Json.MAPPER.readTree(s);
  }

  static void refused(String body, boolean chat, String param, String text) {
    assertThatThrownBy(
            () -> {
              JsonNode b = json(body);
              if (chat) {
                CompletionRequest.parseChat(b);
              } else {
                CompletionRequest.parseCompletion(b);
              }
            })
        .isInstanceOfSatisfying(
            ProblemException.class,
            e -> {
              assertThat(e.problem().status()).isEqualTo(400);
              assertThat(e.problem().detail()).contains(text);
              Map<?, ?> error = (Map<?, ?>) e.problem().extensions().get("error");
              assertThat(error.get("param")).isEqualTo(param);
              assertThat(error.get("type")).isEqualTo("invalid_request_error");
            });
  }

  static final String MSG = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";

  @Test
  void chat_fullRequest_parses() throws Exception {
    CompletionRequest r =
        CompletionRequest.parseChat(
            json(
                "{\"model\":\"m@1\","
                    + MSG
                    + ",\"max_tokens\":9,\"max_completion_tokens\":7,\"temperature\":0.5,"
                    + "\"top_p\":0.8,\"seed\":-5,\"stop\":[\"a\",\"b\"],\"n\":1,\"stream\":true,"
                    + "\"stream_options\":{\"include_usage\":true},\"user\":\"u\","
                    + "\"logprobs\":false,\"presence_penalty\":0}"));
    assertThat(r.model()).isEqualTo("m@1");
    assertThat(r.maxTokens()).hasValue(7);
    assertThat(r.temperature()).isEqualTo(0.5f);
    assertThat(r.topP()).isEqualTo(0.8f);
    assertThat(r.seed()).hasValue(-5);
    assertThat(r.stop()).containsExactly("a", "b");
    assertThat(r.stream()).isTrue();
    assertThat(r.includeUsage()).isTrue();
    assertThat(((CompletionRequest.Input.Chat) r.input()).messages())
        .containsExactly(new ChatTemplate.Message("user", "hi"));
  }

  @Test
  void completion_promptForms_parse() throws Exception {
    assertThat(
            CompletionRequest.parseCompletion(json("{\"model\":\"m\",\"prompt\":[\"x\"]}")).input())
        .isEqualTo(new CompletionRequest.Input.Text("x"));
    assertThat(
            CompletionRequest.parseCompletion(json("{\"model\":\"m\",\"prompt\":[1,2,3]}")).input())
        .isEqualTo(new CompletionRequest.Input.Tokens(List.of(1, 2, 3)));
  }

  @Test
  void refusals_nameTheParameter() {
    refused("{\"model\":\"m\"," + MSG + ",\"n\":3}", true, "n", "n must be 1");
    refused("{\"model\":\"m\"," + MSG + ",\"logprobs\":true}", true, "logprobs", "logprobs");
    refused("{\"model\":\"m\"," + MSG + ",\"tools\":[{}]}", true, "tools", "tools");
    refused(
        "{\"model\":\"m\"," + MSG + ",\"frequency_penalty\":0.5}",
        true,
        "frequency_penalty",
        "penalties");
    refused("{\"model\":\"m\"," + MSG + ",\"temperature\":2.5}", true, "temperature", "2.5");
    refused("{\"model\":\"m\"," + MSG + ",\"top_p\":0}", true, "top_p", "greater than 0");
    refused("{\"model\":\"m\"," + MSG + ",\"max_tokens\":0}", true, "max_tokens", "at least 1");
    refused("{\"model\":\"m\"," + MSG + ",\"seed\":1.5}", true, "seed", "64-bit");
    refused(
        "{\"model\":\"m\"," + MSG + ",\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}",
        true,
        "stop",
        "at most 4");
    refused("{\"model\":\"m\"," + MSG + ",\"stop\":\"\"}", true, "stop", "must not be empty");
    refused(
        "{\"model\":\"m\"," + MSG + ",\"stream_options\":{\"include_usage\":true}}",
        true,
        "stream_options",
        "only allowed when stream is true");
    refused("{" + MSG + "}", true, "model", "'model'");
    refused("{\"model\":\"m\",\"messages\":[]}", true, "messages", "non-empty");
    refused(
        "{\"model\":\"m\",\"messages\":[{\"role\":\"tool\",\"content\":\"x\"}]}",
        true,
        "messages",
        "'tool' is not supported");
    refused(
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\"}]}]}",
        true,
        "messages",
        "only text content parts");
    refused("{\"model\":\"m\"}", false, "prompt", "'prompt' is required");
    refused("{\"model\":\"m\",\"prompt\":[\"a\",\"b\"]}", false, "prompt", "one prompt");
    refused("{\"model\":\"m\",\"prompt\":[1,-2]}", false, "prompt", "prompt[1]");
    refused("{\"model\":\"m\",\"prompt\":\"x\",\"echo\":true}", false, "echo", "echo");
    refused("{\"model\":\"m\",\"prompt\":\"x\",\"best_of\":2}", false, "best_of", "best_of");
  }

  @Test
  void chatTemplate_joinsContentsWithNewlines_noRoleMarkers() throws Exception {
    CompletionRequest r =
        CompletionRequest.parseChat(
            json(
                "{\"model\":\"m\",\"messages\":["
                    + "{\"role\":\"system\",\"content\":\"A story.\"},"
                    + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Tom \"},"
                    + "{\"type\":\"text\",\"text\":\"had a dog\"}]},"
                    + "{\"role\":\"assistant\",\"content\":null},"
                    + "{\"role\":\"assistant\",\"content\":\"The dog\"}]}"));
    assertThat(ChatTemplate.render(((CompletionRequest.Input.Chat) r.input()).messages()))
        .isEqualTo("A story.\nTom had a dog\n\nThe dog");
    assertThat(ChatTemplate.render(List.of(new ChatTemplate.Message("user", "Once upon a time"))))
        .isEqualTo("Once upon a time");
  }
}
