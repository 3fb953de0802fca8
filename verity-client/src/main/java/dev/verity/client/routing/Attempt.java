package dev.verity.client.routing;

import java.time.Duration;
import java.util.Objects;

/**
 * One node tried for a routed request and what came of it.
 *
 * @param outcome {@code ok}, {@code failed: <reason>}, {@code timed out}, or {@code abandoned} (a
 *     hedge that lost the race)
 * @param hedged whether it was started as a hedge while another attempt was still running
 */
public record Attempt(Candidate node, String outcome, Duration took, boolean hedged) {
  public Attempt {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(took, "took");
  }

  public boolean ok() {
    return outcome.equals("ok");
  }
}
