package dev.verity.client;

import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * A chat completion request for the node's OpenAI-compatible API. Unset values take the node's
 * defaults: max tokens up to the context length, temperature 1, top-p 1, a seed the node picks (and
 * records in the receipt).
 */
public final class ChatRequest {
  private final String model;
  private final List<ChatMessage> messages;
  private final int maxTokens;
  private final float temperature;
  private final float topP;
  private final long seed;
  private final boolean hasSeed;

  private ChatRequest(
      String model,
      List<ChatMessage> messages,
      int maxTokens,
      float temperature,
      float topP,
      long seed,
      boolean hasSeed) {
    this.model = Objects.requireNonNull(model, "model");
    this.messages = List.copyOf(messages);
    if (model.isBlank()) {
      throw new IllegalArgumentException("model must name a model");
    }
    if (this.messages.isEmpty()) {
      throw new IllegalArgumentException("a chat request needs at least one message");
    }
    if (maxTokens < 0) {
      throw new IllegalArgumentException("max tokens must be at least 1, got " + maxTokens);
    }
    if (!(temperature >= 0f && temperature <= 2f)) {
      throw new IllegalArgumentException("temperature must be in [0, 2], got " + temperature);
    }
    if (!(topP > 0f && topP <= 1f)) {
      throw new IllegalArgumentException("top-p must be in (0, 1], got " + topP);
    }
    this.maxTokens = maxTokens;
    this.temperature = temperature;
    this.topP = topP;
    this.seed = seed;
    this.hasSeed = hasSeed;
  }

  /** One user message to {@code model} (a name, {@code name@version} or manifest digest). */
  public static ChatRequest of(String model, String prompt) {
    return of(model, List.of(ChatMessage.user(prompt)));
  }

  public static ChatRequest of(String model, List<ChatMessage> messages) {
    return new ChatRequest(model, messages, 0, 1f, 1f, 0, false);
  }

  public ChatRequest withMaxTokens(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("max tokens must be at least 1, got " + n);
    }
    return new ChatRequest(model, messages, n, temperature, topP, seed, hasSeed);
  }

  /** 0 decodes greedily. */
  public ChatRequest withTemperature(float t) {
    return new ChatRequest(model, messages, maxTokens, t, topP, seed, hasSeed);
  }

  public ChatRequest withTopP(float p) {
    return new ChatRequest(model, messages, maxTokens, temperature, p, seed, hasSeed);
  }

  public ChatRequest withSeed(long s) {
    return new ChatRequest(model, messages, maxTokens, temperature, topP, s, true);
  }

  public String model() {
    return model;
  }

  public List<ChatMessage> messages() {
    return messages;
  }

  public OptionalInt maxTokens() {
    return maxTokens == 0 ? OptionalInt.empty() : OptionalInt.of(maxTokens);
  }

  public float temperature() {
    return temperature;
  }

  public float topP() {
    return topP;
  }

  public OptionalLong seed() {
    return hasSeed ? OptionalLong.of(seed) : OptionalLong.empty();
  }
}
