package dev.verity.client.routing;

import java.io.IOException;
import java.util.List;

/** Every node tried failed; the attempts say how. */
public final class NoNodeAnsweredException extends IOException {
  private final transient List<Attempt> attempts;

  public NoNodeAnsweredException(String message, List<Attempt> attempts) {
    super(message + describe(attempts));
    this.attempts = List.copyOf(attempts);
  }

  public List<Attempt> attempts() {
    return attempts;
  }

  private static String describe(List<Attempt> attempts) {
    if (attempts.isEmpty()) {
      return "";
    }
    StringBuilder b = new StringBuilder(":");
    for (Attempt a : attempts) {
      b.append("\n  ").append(a.node().endpoint()).append(" -> ").append(a.outcome());
    }
    return b.toString();
  }
}
