package dev.verity.node.audit;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Fault-injection strategies for adversarial tests. A node runs one only when its configuration
 * names it explicitly (never by default), and logs a loud warning when it does.
 */
public enum CheatStrategy {
  /** Serves honestly. */
  HONEST,
  /** Replaces the output (and the trace's final tensor) with a different answer. */
  WRONG_OUTPUT,
  /** Nudges one element of the output by one ulp (and commits the trace to it). */
  OUTPUT_NOISE,
  /** Runs a substituted model: the same graph with weights quantized to bfloat16. */
  QUANTIZED_MODEL,
  /** Replays the output and trace of its first request for every later input. */
  REPLAYED_OUTPUT,
  /** Skips a layer: the first Relu runs as Identity, everything after it is computed on that. */
  SKIPPED_LAYER,
  /** Serves the honest output but its committed trace lies about one intermediate tensor. */
  LYING_TRACE,
  /** Serves a wrong output and then never moves in the dispute. */
  SILENT_IN_DISPUTE,
  /** Serves a wrong output; auditors of a colluding operator report a match without checking. */
  COLLUDING_AUDITOR,
  /**
   * Serves honestly, but as auditor disputes every receipt that reproduces, with a trace that lies
   * about one intermediate tensor: a false accusation, which must clear the provider and cost the
   * liar its bond.
   */
  LYING_AUDITOR;

  /** Whether the node cheats as provider (serves answers that differ from an honest run). */
  public boolean cheatsAsProvider() {
    return this != HONEST && this != LYING_AUDITOR;
  }

  /** Parses the config value ({@code wrong-output}, {@code lying_trace}, …). */
  public static CheatStrategy parse(String text) {
    String t = text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
    try {
      return valueOf(t);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown cheat strategy '"
              + text
              + "'; one of "
              + Arrays.stream(values())
                  .map(v -> v.name().toLowerCase(Locale.ROOT).replace('_', '-'))
                  .collect(Collectors.joining(", ")));
    }
  }

  /** The config spelling. */
  public String id() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
