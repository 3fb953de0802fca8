package dev.verity.client.routing;

import java.util.List;
import java.util.Objects;

/** A routed request's answer, the node that gave it, and every node tried on the way. */
public record Routed<T>(T value, Candidate node, List<Attempt> attempts) {
  public Routed {
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(node, "node");
    attempts = List.copyOf(attempts);
  }

  /** Whether the answer came from another node than the first one tried. */
  public boolean failedOver() {
    return !attempts.isEmpty() && !attempts.getFirst().node().equals(node);
  }
}
