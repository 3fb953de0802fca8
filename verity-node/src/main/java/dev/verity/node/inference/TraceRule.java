package dev.verity.node.inference;

import dev.verity.receipt.VerificationPolicy;
import java.util.Locale;

/**
 * When the strict engine commits to its trace while serving (setting {@code inference-trace},
 * docs/INFERENCE.md). The receipt already binds model, input and output and the engine is
 * deterministic, so a trace committed later, when a dispute asks for it, must still lead from the
 * bound input to the bound output: deferring it costs the provider no freedom to cheat.
 */
public enum TraceRule {
  /**
   * Eager for requests that buy audits (any policy but {@code none}); deferred (no trace, receipt
   * without trace) for {@code none}, where nobody audits by default.
   */
  AUTO,
  /** Eager for every request. */
  ALWAYS;

  /** Whether a strict request under {@code policy} runs with its trace committed now. */
  public boolean eager(VerificationPolicy policy) {
    return this == ALWAYS || !(policy instanceof VerificationPolicy.None);
  }

  /** Parses {@code auto} or {@code always} (any case). */
  public static TraceRule parse(String text) {
    return switch (text.strip().toLowerCase(Locale.ROOT)) {
      case "auto" -> AUTO;
      case "always" -> ALWAYS;
      default ->
          throw new IllegalArgumentException(
              "inference trace must be 'auto' or 'always', got '" + text + "'");
    };
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
