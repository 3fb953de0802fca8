package dev.verity.node.openai;

import java.util.List;

/**
 * Finds stop sequences in streamed text. Text that could still turn out to be the start of a stop
 * sequence is held back (at most the longest stop's length minus one characters), so a client never
 * receives any part of a stop sequence, as with OpenAI's API.
 */
final class StopScanner {
  private final List<String> stops;
  private final int hold;
  private final StringBuilder text = new StringBuilder();
  private int emitted;
  private int stopAt = -1;

  StopScanner(List<String> stops) {
    this.stops = List.copyOf(stops);
    this.hold = stops.stream().mapToInt(String::length).max().orElse(1) - 1;
  }

  /** Adds generated text; returns the text now safe to send (possibly empty). */
  String push(String delta) {
    if (stopAt >= 0) {
      return "";
    }
    int from = Math.max(0, text.length() - hold);
    text.append(delta);
    int best = -1;
    for (String s : stops) {
      int i = text.indexOf(s, from);
      if (i >= 0 && (best < 0 || i < best)) {
        best = i;
      }
    }
    if (best >= 0) {
      stopAt = best;
      return take(best);
    }
    int safe = text.length() - hold;
    if (safe > 0 && safe < text.length() && Character.isHighSurrogate(text.charAt(safe - 1))) {
      safe--; // never split a surrogate pair between two events
    }
    return take(safe);
  }

  private String take(int upTo) {
    if (upTo <= emitted) {
      return "";
    }
    String out = text.substring(emitted, upTo);
    emitted = upTo;
    return out;
  }

  boolean stopped() {
    return stopAt >= 0;
  }

  /** Whatever was held back, once generation ended without a stop sequence. */
  String flush() {
    return stopped() ? "" : take(text.length());
  }

  /** The answer's text: everything before the first stop sequence, or all of it. */
  String text() {
    return stopped() ? text.substring(0, stopAt) : text.toString();
  }
}
