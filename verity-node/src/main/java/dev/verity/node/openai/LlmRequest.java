package dev.verity.node.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.verity.core.Digest;
import dev.verity.llm.GenerationRequest;
import dev.verity.llm.Prompt;
import dev.verity.llm.TraceMode;
import dev.verity.node.http.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What an LLM receipt's input digest commits to ({@link LlmDigests}): the prompt token ids, the
 * token budget, the sampling parameters, the seed and the stop sequences. With the model it fixes
 * the generation bit for bit, so it is all an auditor, the provider (rebuilding its trace) or a
 * referee needs to re-execute the request. Archived by the node under the input digest ({@link
 * LlmArchive}) and served as JSON: {@code {"promptTokens": [..], "maxTokens": n, "temperature": f,
 * "topP": f, "seed": n, "stop": [..]}} (floats as their exact {@code float} value).
 */
public record LlmRequest(
    List<Integer> promptTokens,
    int maxTokens,
    float temperature,
    float topP,
    long seed,
    List<String> stop) {
  public LlmRequest {
    promptTokens = List.copyOf(promptTokens);
    stop = List.copyOf(stop);
    if (promptTokens.isEmpty()) {
      throw new IllegalArgumentException("an LLM request has at least one prompt token");
    }
    if (maxTokens < 1) {
      throw new IllegalArgumentException("maxTokens must be at least 1, got " + maxTokens);
    }
  }

  /** The receipt's input digest for this request. */
  public Digest digest() {
    return LlmDigests.input(promptTokens, maxTokens, temperature, topP, seed, stop);
  }

  /** The generation to run; {@code trace} decides whether activations are kept. */
  public GenerationRequest generation(TraceMode trace) {
    return new GenerationRequest(
        Prompt.tokens(promptTokens), maxTokens, temperature, topP, seed, trace);
  }

  /** The receipt's output digest for these completion tokens. */
  public static Digest outputDigest(List<Integer> completionTokens) {
    return LlmDigests.output(completionTokens);
  }

  public ObjectNode toJson() {
    ObjectNode o = Json.MAPPER.createObjectNode();
    ArrayNode p = o.putArray("promptTokens");
    promptTokens.forEach(p::add);
    o.put("maxTokens", maxTokens);
    o.put("temperature", temperature);
    o.put("topP", topP);
    o.put("seed", seed);
    ArrayNode s = o.putArray("stop");
    stop.forEach(s::add);
    return o;
  }

  /** Parses {@link #toJson}; a missing or malformed field throws naming it. */
  public static LlmRequest parse(JsonNode o) {
    Objects.requireNonNull(o, "LLM request");
    List<Integer> prompt = new ArrayList<>();
    for (JsonNode t : array(o, "promptTokens")) {
      if (!t.isIntegralNumber() || !t.canConvertToInt() || t.intValue() < 0) {
        throw new IllegalArgumentException("promptTokens must be non-negative token ids");
      }
      prompt.add(t.intValue());
    }
    List<String> stop = new ArrayList<>();
    for (JsonNode s : array(o, "stop")) {
      if (!s.isTextual()) {
        throw new IllegalArgumentException("stop must be an array of strings");
      }
      stop.add(s.textValue());
    }
    return new LlmRequest(
        prompt,
        integral(o, "maxTokens").intValue(),
        number(o, "temperature"),
        number(o, "topP"),
        integral(o, "seed").longValue(),
        stop);
  }

  private static JsonNode array(JsonNode o, String field) {
    JsonNode a = o.get(field);
    if (a == null || !a.isArray()) {
      throw new IllegalArgumentException("LLM request field '" + field + "' must be an array");
    }
    return a;
  }

  private static JsonNode integral(JsonNode o, String field) {
    JsonNode n = o.get(field);
    if (n == null || !n.isIntegralNumber() || !n.canConvertToLong()) {
      throw new IllegalArgumentException("LLM request field '" + field + "' must be an integer");
    }
    return n;
  }

  private static float number(JsonNode o, String field) {
    JsonNode n = o.get(field);
    if (n == null || !n.isNumber()) {
      throw new IllegalArgumentException("LLM request field '" + field + "' must be a number");
    }
    return n.floatValue();
  }
}
