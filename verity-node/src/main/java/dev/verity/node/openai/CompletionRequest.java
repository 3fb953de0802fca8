package dev.verity.node.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.verity.receipt.VerificationPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The parameters of {@code POST /v1/chat/completions} or {@code POST /v1/completions} that Verity
 * acts on, validated. Parameters that would change the answer in ways Verity does not implement (n
 * other than 1, tools, logprobs, penalties, logit_bias, echo, suffix, best_of) are refused with a
 * 400 naming them; purely informational ones (user, metadata, store) are ignored.
 *
 * @param model a name, {@code name@version} or manifest digest
 * @param input the chat messages or the prompt
 * @param maxTokens the requested limit on generated tokens, if any
 * @param temperature sampling temperature in [0, 2]; 0 is greedy
 * @param topP nucleus mass in (0, 1]
 * @param seed the sampling seed, if the client chose one
 * @param stop up to 4 non-empty stop sequences
 * @param stream whether to answer with server-sent events
 * @param includeUsage whether a streamed answer ends with a usage chunk
 * @param policy the verification tier the receipt signs (extra member {@code policy}: {@code none},
 *     {@code sample:P} or {@code replicate:K}; default {@code none})
 */
record CompletionRequest(
    String model,
    Input input,
    OptionalInt maxTokens,
    float temperature,
    float topP,
    OptionalLong seed,
    List<String> stop,
    boolean stream,
    boolean includeUsage,
    VerificationPolicy policy) {

  static final int MAX_STOP = 4;

  CompletionRequest {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(input, "input");
    stop = List.copyOf(stop);
    Objects.requireNonNull(policy, "policy");
  }

  /** What the model continues: chat messages, prompt text, or prompt token ids. */
  sealed interface Input {
    record Chat(List<ChatTemplate.Message> messages) implements Input {
      public Chat {
        messages = List.copyOf(messages);
      }
    }

    record Text(String prompt) implements Input {}

    record Tokens(List<Integer> tokens) implements Input {
      public Tokens {
        tokens = List.copyOf(tokens);
      }
    }
  }

  static CompletionRequest parseChat(JsonNode body) {
    requireObject(body);
    JsonNode messages = body.get("messages");
    if (messages == null || !messages.isArray() || messages.isEmpty()) {
      throw OpenAiError.invalid("messages", "'messages' must be a non-empty array of messages");
    }
    List<ChatTemplate.Message> list = new ArrayList<>();
    for (int i = 0; i < messages.size(); i++) {
      list.add(ChatTemplate.Message.parse(messages.get(i), "messages[" + i + "]"));
    }
    rejectUnsupported(body, true);
    OptionalInt max = maxTokens(body, "max_completion_tokens");
    if (max.isEmpty()) {
      max = maxTokens(body, "max_tokens");
    }
    return common(body, new Input.Chat(list), max);
  }

  static CompletionRequest parseCompletion(JsonNode body) {
    requireObject(body);
    JsonNode prompt = body.get("prompt");
    Input input;
    if (prompt == null || prompt.isNull()) {
      throw OpenAiError.invalid("prompt", "'prompt' is required");
    } else if (prompt.isTextual()) {
      input = new Input.Text(prompt.textValue());
    } else if (prompt.isArray() && !prompt.isEmpty() && prompt.get(0).isIntegralNumber()) {
      List<Integer> ids = new ArrayList<>();
      for (int i = 0; i < prompt.size(); i++) {
        JsonNode t = prompt.get(i);
        if (!t.isIntegralNumber() || !t.canConvertToInt() || t.intValue() < 0) {
          throw OpenAiError.invalid(
              "prompt", "prompt[" + i + "] must be a non-negative token id like the others");
        }
        ids.add(t.intValue());
      }
      input = new Input.Tokens(ids);
    } else if (prompt.isArray() && prompt.size() == 1 && prompt.get(0).isTextual()) {
      input = new Input.Text(prompt.get(0).textValue());
    } else if (prompt.isArray() && prompt.size() > 1) {
      throw OpenAiError.unsupported(
          "prompt", "only one prompt per request is supported; got " + prompt.size());
    } else {
      throw OpenAiError.invalid(
          "prompt", "'prompt' must be a string, an array of one string, or an array of token ids");
    }
    rejectUnsupported(body, false);
    return common(body, input, maxTokens(body, "max_tokens"));
  }

  private static CompletionRequest common(JsonNode body, Input input, OptionalInt max) {
    JsonNode m = body.get("model");
    if (m == null || !m.isTextual() || m.textValue().isBlank()) {
      throw OpenAiError.invalid(
          "model", "'model' must name a model (name, name@version or digest)");
    }
    float temperature = number(body, "temperature", 1f, 0f, 2f);
    float topP = number(body, "top_p", 1f, 0f, 1f);
    if (body.has("top_p") && !body.get("top_p").isNull() && topP == 0f) {
      throw OpenAiError.invalid("top_p", "top_p must be greater than 0 and at most 1");
    }
    OptionalLong seed = OptionalLong.empty();
    JsonNode s = body.get("seed");
    if (s != null && !s.isNull()) {
      if (!s.isIntegralNumber() || !s.canConvertToLong()) {
        throw OpenAiError.invalid("seed", "seed must be a 64-bit integer");
      }
      seed = OptionalLong.of(s.longValue());
    }
    JsonNode n = body.get("n");
    if (n != null && !n.isNull() && !(n.isIntegralNumber() && n.asLong() == 1)) {
      throw OpenAiError.unsupported("n", "n must be 1: one choice per request is supported");
    }
    boolean stream = bool(body, "stream");
    boolean includeUsage = false;
    JsonNode so = body.get("stream_options");
    if (so != null && !so.isNull()) {
      if (!so.isObject()) {
        throw OpenAiError.invalid("stream_options", "stream_options must be an object");
      }
      if (!stream) {
        throw OpenAiError.invalid(
            "stream_options", "stream_options is only allowed when stream is true");
      }
      includeUsage = bool(so, "include_usage");
    }
    return new CompletionRequest(
        m.textValue(),
        input,
        max,
        temperature,
        topP,
        seed,
        stops(body),
        stream,
        includeUsage,
        policy(body));
  }

  private static VerificationPolicy policy(JsonNode body) {
    JsonNode p = body.get("policy");
    if (p == null || p.isNull()) {
      return VerificationPolicy.NONE;
    }
    if (!p.isTextual()) {
      throw OpenAiError.invalid("policy", "policy must be a string such as none or sample:0.1");
    }
    VerificationPolicy v;
    try {
      v = VerificationPolicy.parse(p.textValue());
    } catch (IllegalArgumentException e) {
      throw OpenAiError.invalid("policy", "policy is not valid: " + e.getMessage());
    }
    if (v instanceof VerificationPolicy.ValueAtRisk) {
      throw OpenAiError.unsupported(
          "policy", "value-at-risk policies are not resolved here; send a concrete tier");
    }
    return v;
  }

  private static void requireObject(JsonNode body) {
    if (!body.isObject()) {
      throw OpenAiError.invalid(null, "the request body must be a JSON object");
    }
  }

  private static void rejectUnsupported(JsonNode body, boolean chat) {
    for (String p : List.of("tools", "functions", "tool_choice", "function_call", "logit_bias")) {
      JsonNode v = body.get(p);
      if (v != null
          && !v.isNull()
          && !(v.isContainerNode() && v.isEmpty())
          && !(v.isTextual() && v.textValue().equals("none"))) {
        throw OpenAiError.unsupported(p, "'" + p + "' is not supported by this node");
      }
    }
    for (String p : List.of("presence_penalty", "frequency_penalty")) {
      JsonNode v = body.get(p);
      if (v != null && !v.isNull() && !(v.isNumber() && v.doubleValue() == 0.0)) {
        throw OpenAiError.unsupported(p, "'" + p + "' must be 0: penalties are not supported");
      }
    }
    JsonNode lp = body.get("logprobs");
    if (lp != null && !lp.isNull() && !(lp.isBoolean() && !lp.booleanValue())) {
      throw OpenAiError.unsupported("logprobs", "'logprobs' is not supported by this node");
    }
    JsonNode rf = body.get("response_format");
    if (rf != null && !rf.isNull() && !"text".equals(rf.path("type").asText("text"))) {
      throw OpenAiError.unsupported(
          "response_format", "only the 'text' response format is supported");
    }
    if (!chat) {
      JsonNode echo = body.get("echo");
      if (echo != null && !echo.isNull() && !(echo.isBoolean() && !echo.booleanValue())) {
        throw OpenAiError.unsupported("echo", "'echo' is not supported by this node");
      }
      JsonNode suffix = body.get("suffix");
      if (suffix != null && !suffix.isNull() && !suffix.asText().isEmpty()) {
        throw OpenAiError.unsupported("suffix", "'suffix' is not supported by this node");
      }
      JsonNode bestOf = body.get("best_of");
      if (bestOf != null
          && !bestOf.isNull()
          && !(bestOf.isIntegralNumber() && bestOf.asLong() == 1)) {
        throw OpenAiError.unsupported("best_of", "best_of must be 1");
      }
    }
  }

  private static OptionalInt maxTokens(JsonNode body, String name) {
    JsonNode v = body.get(name);
    if (v == null || v.isNull()) {
      return OptionalInt.empty();
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 1) {
      throw OpenAiError.invalid(name, name + " must be an integer of at least 1, got " + v);
    }
    return OptionalInt.of(v.intValue());
  }

  private static float number(JsonNode body, String name, float dflt, float min, float max) {
    JsonNode v = body.get(name);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (!v.isNumber() || !(v.doubleValue() >= min && v.doubleValue() <= max)) {
      throw OpenAiError.invalid(
          name, name + " must be a number between " + min + " and " + max + ", got " + v);
    }
    return v.floatValue();
  }

  private static boolean bool(JsonNode body, String name) {
    JsonNode v = body.get(name);
    if (v == null || v.isNull()) {
      return false;
    }
    if (!v.isBoolean()) {
      throw OpenAiError.invalid(name, name + " must be true or false, got " + v);
    }
    return v.booleanValue();
  }

  private static List<String> stops(JsonNode body) {
    JsonNode v = body.get("stop");
    List<String> out = new ArrayList<>();
    if (v == null || v.isNull()) {
      return out;
    }
    if (v.isTextual()) {
      out.add(v.textValue());
    } else if (v.isArray()) {
      for (JsonNode s : v) {
        if (!s.isTextual()) {
          throw OpenAiError.invalid("stop", "stop must be a string or an array of strings");
        }
        out.add(s.textValue());
      }
    } else {
      throw OpenAiError.invalid("stop", "stop must be a string or an array of strings");
    }
    if (out.size() > MAX_STOP) {
      throw OpenAiError.invalid(
          "stop", "at most " + MAX_STOP + " stop sequences are allowed, got " + out.size());
    }
    for (String s : out) {
      if (s.isEmpty()) {
        throw OpenAiError.invalid("stop", "stop sequences must not be empty");
      }
    }
    return out;
  }
}
