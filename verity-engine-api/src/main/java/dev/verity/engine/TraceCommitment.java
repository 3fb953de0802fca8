package dev.verity.engine;

import dev.verity.core.Digest;

/**
 * A commitment to every intermediate tensor of one run: a Merkle root over the canonical encodings
 * of node outputs in execution order, and how many leaves it covers.
 */
public interface TraceCommitment {
  Digest root();

  long leafCount();

  /**
   * Opens one leaf: the committed tensor with its inclusion proof. Engines that do not retain
   * intermediates throw {@link UnsupportedOperationException}.
   */
  default TraceOpening open(long leafIndex) {
    throw new UnsupportedOperationException("this trace commitment does not retain intermediates");
  }
}
