package dev.verity.node.openai;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Turns chat messages into prompt text for models that bring no chat template of their own
 * (llama2.c checkpoints such as TinyStories, and GGUF files run without their template). Template
 * {@value #ID}: the messages' contents in order, joined by one newline, with no role markers — a
 * plain completion model has never seen any, and they would only derail it. The model continues the
 * text; a trailing assistant message is therefore a prefix of the reply. See docs/CHAT_TEMPLATE.md.
 */
final class ChatTemplate {
  static final String ID = "verity-plain-v1";
  static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant");

  private ChatTemplate() {}

  /** One message: its role and its text content. */
  record Message(String role, String content) {
    Message {
      Objects.requireNonNull(role, "role");
      Objects.requireNonNull(content, "content");
    }

    static Message parse(JsonNode m, String where) {
      if (m == null || !m.isObject()) {
        throw OpenAiError.invalid("messages", where + " must be an object with role and content");
      }
      JsonNode role = m.get("role");
      if (role == null || !role.isTextual()) {
        throw OpenAiError.invalid("messages", where + ".role must be a string");
      }
      if (!ROLES.contains(role.textValue())) {
        throw OpenAiError.unsupported(
            "messages",
            where
                + ".role '"
                + role.textValue()
                + "' is not supported; use system, developer, user or assistant");
      }
      JsonNode content = m.get("content");
      String text;
      if (content == null || content.isNull()) {
        text = "";
      } else if (content.isTextual()) {
        text = content.textValue();
      } else if (content.isArray()) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < content.size(); i++) {
          JsonNode part = content.get(i);
          if (!"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
            throw OpenAiError.unsupported(
                "messages", where + ".content[" + i + "]: only text content parts are supported");
          }
          sb.append(part.get("text").textValue());
        }
        text = sb.toString();
      } else {
        throw OpenAiError.invalid(
            "messages", where + ".content must be a string or an array of text parts");
      }
      return new Message(role.textValue(), text);
    }
  }

  /** The prompt text for {@code messages} under template {@value #ID}. */
  static String render(List<Message> messages) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < messages.size(); i++) {
      if (i > 0) {
        sb.append('\n');
      }
      sb.append(messages.get(i).content());
    }
    return sb.toString();
  }
}
