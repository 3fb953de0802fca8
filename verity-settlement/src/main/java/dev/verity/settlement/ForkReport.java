package dev.verity.settlement;

import dev.verity.core.Bytes;
import dev.verity.log.InclusionProof;
import dev.verity.receipt.eth.EthAddress;
import java.util.Objects;

/**
 * Evidence that two checkpoints one node anchored cannot both be honest, as LogAnchor.reportFork
 * checks it on-chain. {@code a} and {@code b} are indexes into the node's anchored checkpoints.
 */
public sealed interface ForkReport {
  EthAddress node();

  long a();

  long b();

  /** Both checkpoints have the same tree size but different roots: conclusive by itself. */
  record SameSize(EthAddress node, long a, long b) implements ForkReport {
    public SameSize {
      Objects.requireNonNull(node, "node");
      checkIndexes(a, b);
    }
  }

  /**
   * Two different leaf hashes at the same index, each proven by an RFC 9162 inclusion proof under
   * one of the two anchored roots (the proofs' tree sizes must equal the anchored sizes).
   */
  record DifferentLeaves(
      EthAddress node,
      long a,
      long b,
      Bytes leafHashA,
      InclusionProof proofA,
      Bytes leafHashB,
      InclusionProof proofB)
      implements ForkReport {
    public DifferentLeaves {
      Objects.requireNonNull(node, "node");
      checkIndexes(a, b);
      Objects.requireNonNull(leafHashA, "leafHashA");
      Objects.requireNonNull(leafHashB, "leafHashB");
      Objects.requireNonNull(proofA, "proofA");
      Objects.requireNonNull(proofB, "proofB");
      if (leafHashA.length() != 32 || leafHashB.length() != 32) {
        throw new IllegalArgumentException("leaf hashes have 32 bytes");
      }
      if (proofA.index() != proofB.index()) {
        throw new IllegalArgumentException(
            "both proofs must be for the same leaf index, got "
                + proofA.index()
                + " and "
                + proofB.index());
      }
    }

    public long leafIndex() {
      return proofA.index();
    }
  }

  private static void checkIndexes(long a, long b) {
    if (a < 0 || b < 0) {
      throw new IllegalArgumentException("checkpoint indexes must not be negative");
    }
  }
}
