package dev.verity.client;

/** Receives a streamed completion's text as it arrives; the pieces concatenate to the answer. */
@FunctionalInterface
public interface ChatListener {
  ChatListener NONE = text -> {};

  void onText(String text);
}
