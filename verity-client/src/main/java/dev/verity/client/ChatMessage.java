package dev.verity.client;

import java.util.Objects;
import java.util.Set;

/** One chat message: role {@code system}, {@code developer}, {@code user} or {@code assistant}. */
public record ChatMessage(String role, String content) {
  static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant");

  public ChatMessage {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(content, "content");
    if (!ROLES.contains(role)) {
      throw new IllegalArgumentException(
          "message role must be system, developer, user or assistant, got '" + role + "'");
    }
  }

  public static ChatMessage user(String content) {
    return new ChatMessage("user", content);
  }

  public static ChatMessage system(String content) {
    return new ChatMessage("system", content);
  }
}
