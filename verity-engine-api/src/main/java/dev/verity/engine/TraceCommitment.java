package dev.verity.engine;

import dev.verity.core.Digest;

/**
 * A commitment to every intermediate tensor of one run: a Merkle root over the canonical encodings
 * of node outputs in execution order, and how many leaves it covers.
 */
public interface TraceCommitment {
  Digest root();

  long leafCount();
}
