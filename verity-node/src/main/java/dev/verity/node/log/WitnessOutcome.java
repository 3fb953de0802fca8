package dev.verity.node.log;

import dev.verity.log.witness.ForkEvidence;

/** What witnessing one peer's log produced. */
public sealed interface WitnessOutcome {
  String peer();

  /** The checkpoint was consistent with the last one cosigned and is now cosigned. */
  record Cosigned(String peer, String origin, long size, long previousSize, boolean delivered)
      implements WitnessOutcome {}

  /** The peer's log contradicted a checkpoint this witness cosigned; evidence is kept. */
  record Forked(String peer, ForkEvidence evidence, String evidenceFile)
      implements WitnessOutcome {}

  /** The peer could not be witnessed now (unreachable, bad answer, stale checkpoint). */
  record Failed(String peer, String reason) implements WitnessOutcome {}
}
