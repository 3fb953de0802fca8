package dev.verity.client;

import java.util.Objects;

/**
 * What a node reported after witnessing a peer's log: {@code cosigned} (with the new and previous
 * sizes), {@code fork} (evidence kept on the witness) or {@code failed} (with the reason).
 */
public record WitnessResult(
    String peer, String outcome, long size, long previousSize, String detail) {
  public WitnessResult {
    Objects.requireNonNull(peer, "peer");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(detail, "detail");
  }
}
