package dev.verity.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.verity.client.ChatMessage;
import dev.verity.client.ChatRequest;
import dev.verity.core.Digest;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChatStreamTest {
  @Test
  void outputDigest_matchesGoldenVectors() {
    assertThat(ChatStream.outputDigest(List.of()))
        .isEqualTo(
            Digest.parse(
                "sha256:827780b6368a7b8174ce7faf37eb6d001e14979dd8bee9a40ba1772300d20799"));
    assertThat(ChatStream.outputDigest(List.of(1, 2, 3)))
        .isEqualTo(
            Digest.parse(
                "sha256:d3d509077e39c1ac5f871bd1196fb6eae8d68e49f73fd5a73ae1ae0313f893cb"));
  }

  @Test
  void body_carriesParameters_andAlwaysStreams() throws Exception {
    ChatRequest r =
        ChatRequest.of(
                "tinystories-260k@1", List.of(ChatMessage.system("s"), ChatMessage.user("u")))
            .withMaxTokens(7)
            .withTemperature(0f)
            .withTopP(0.5f)
            .withSeed(-3);
    JsonNode b = Transport.JSON.readTree(ChatStream.body(r));
    assertThat(b.get("model").asText()).isEqualTo("tinystories-260k@1");
    assertThat(b.get("messages").get(1).get("role").asText()).isEqualTo("user");
    assertThat(b.get("max_tokens").asInt()).isEqualTo(7);
    assertThat(b.get("temperature").asDouble()).isZero();
    assertThat(b.get("top_p").asDouble()).isEqualTo(0.5);
    assertThat(b.get("seed").asLong()).isEqualTo(-3);
    assertThat(b.get("stream").asBoolean()).isTrue();
    assertThat(ChatStream.body(ChatRequest.of("m", "p")).length).isPositive();
    assertThat(Transport.JSON.readTree(ChatStream.body(ChatRequest.of("m", "p"))).has("seed"))
        .isFalse();
  }

  @Test
  void request_badValues_throwNamingThem() {
    assertThatThrownBy(() -> ChatRequest.of("m", "p").withTemperature(3f))
        .hasMessageContaining("temperature");
    assertThatThrownBy(() -> ChatRequest.of("m", "p").withMaxTokens(0))
        .hasMessageContaining("max tokens");
    assertThatThrownBy(() -> new ChatMessage("tool", "x")).hasMessageContaining("role");
  }

  @Test
  void completion_garbledReceipt_isRejected() throws Exception {
    JsonNode verity =
        Transport.JSON.readTree("{\"bundle\":{\"format\":\"nope\"},\"receiptId\":\"x\"}");
    assertThatThrownBy(() -> ChatStream.completion("id", "m", "t", "stop", verity))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("receipt is invalid");
  }
}
