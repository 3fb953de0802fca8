package dev.verity.node.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.verity.llm.LlmLimits;
import dev.verity.node.VerityNode;
import dev.verity.node.config.NodeConfig;
import dev.verity.node.config.NodeConfigException;
import dev.verity.node.http.Json;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The operator's {@code llm-max-*} settings bound what the node's OpenAI API accepts. */
class ConfiguredLlmLimitsTest {
  @TempDir Path dir;

  @Test
  void settings_parse_fromFileAndEnvironment_andBadValuesNameTheSetting() throws Exception {
    assertThat(NodeConfig.load(Optional.empty(), Map.of()).llmLimits())
        .isEqualTo(LlmLimits.DEFAULT);
    Path f = dir.resolve("node.properties");
    Files.writeString(f, "llm-max-context-tokens=512\nllm-max-new-tokens=64\n");
    NodeConfig c = NodeConfig.load(Optional.of(f), Map.of("VERITY_NODE_LLM_MAX_NEW_TOKENS", "32"));
    assertThat(c.llmLimits()).isEqualTo(new LlmLimits(512, 32));
    assertThatThrownBy(
            () -> NodeConfig.load(Optional.empty(), Map.of("VERITY_NODE_LLM_MAX_NEW_TOKENS", "0")))
        .isInstanceOf(NodeConfigException.class)
        .hasMessage("environment variable VERITY_NODE_LLM_MAX_NEW_TOKENS: '0' must be positive");
    assertThatThrownBy(
            () ->
                NodeConfig.load(
                    Optional.empty(), Map.of("VERITY_NODE_LLM_MAX_CONTEXT_TOKENS", "1")))
        .isInstanceOf(NodeConfigException.class)
        .hasMessageContaining("VERITY_NODE_LLM_MAX_CONTEXT_TOKENS")
        .hasMessageContaining("a context of 2");
    assertThatThrownBy(
            () ->
                NodeConfig.load(
                    Optional.empty(), Map.of("VERITY_NODE_LLM_MAX_NEW_TOKENS", "3000000000")))
        .hasMessageContaining("must be at most 2147483647 tokens");
  }

  @Test
  void node_refusesMoreNewTokensThanConfigured_andDefaultsToTheLimit() throws Exception {
    NodeConfig config =
        NodeConfig.load(Optional.empty(), Map.of("VERITY_NODE_LLM_MAX_NEW_TOKENS", "8"))
            .withDataDir(dir)
            .withPort(0);
    HttpClient http = HttpClient.newHttpClient();
    try (VerityNode node = VerityNode.start(config, List.of())) {
      TinyStoriesNode.publish(node, TinyStoriesNode.tinyllamas(), TinyStoriesNode.MODEL, "1");
      var over = post(http, node, ",\"max_tokens\":9");
      assertThat(over.statusCode()).as(over.body()).isEqualTo(400);
      assertThat(over.body()).contains("over this node's limit of 8");
      var open = post(http, node, ",\"temperature\":0");
      assertThat(open.statusCode()).as(open.body()).isEqualTo(200);
      JsonNode b = Json.MAPPER.readTree(open.body());
      assertThat(b.get("usage").get("completion_tokens").asInt()).isEqualTo(8);
      assertThat(b.get("choices").get(0).get("finish_reason").asText()).isEqualTo("length");
    }
  }

  private static HttpResponse<String> post(HttpClient http, VerityNode node, String extra)
      throws Exception {
    String body =
        "{\"model\":\""
            + TinyStoriesNode.MODEL
            + "\",\"prompt\":\""
            + TinyStoriesNode.PROMPT
            + "\""
            + extra
            + "}";
    return http.send(
        HttpRequest.newBuilder(node.url().resolve("/v1/completions"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
