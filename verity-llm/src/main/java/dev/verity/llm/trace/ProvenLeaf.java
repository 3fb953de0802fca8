package dev.verity.llm.trace;

import dev.verity.core.Digest;
import java.util.Objects;

/** A trace leaf and its inclusion proof. */
public record ProvenLeaf(TraceLeaf leaf, InclusionProof proof) {
  public ProvenLeaf {
    Objects.requireNonNull(leaf, "leaf");
    Objects.requireNonNull(proof, "proof");
  }

  /**
   * Checks the leaf sits at index {@code position × layers + layer} of the tree with {@code root}
   * and {@code treeSize} leaves.
   */
  public void verify(Digest root, long treeSize, int layers) throws TraceVerificationException {
    long expected = (long) leaf.position() * layers + leaf.layer();
    if (leaf.layer() >= layers) {
      throw new TraceVerificationException(
          "leaf names layer " + leaf.layer() + " but the model has " + layers);
    }
    if (proof.leafIndex() != expected || proof.treeSize() != treeSize) {
      throw new TraceVerificationException(
          "proof is for leaf "
              + proof.leafIndex()
              + " of "
              + proof.treeSize()
              + ", but (position "
              + leaf.position()
              + ", layer "
              + leaf.layer()
              + ") is leaf "
              + expected
              + " of "
              + treeSize);
    }
    proof.verify(root, leaf.leafHash());
  }
}
