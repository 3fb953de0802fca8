package dev.verity.engine.strict.trace;

import dev.verity.core.Digest;
import dev.verity.engine.TraceCommitment;
import dev.verity.engine.TraceMerkle;
import dev.verity.engine.TraceOpening;
import dev.verity.engine.strict.ops.Nd;
import java.util.ArrayList;
import java.util.List;

/**
 * The strict engine's trace commitment: one RFC 9162 leaf per node output in execution order (leaf
 * bytes defined by {@link TraceOpening#leafBytes}; see docs/TRACE.md). It keeps the committed
 * tensors so any leaf can be opened with its inclusion proof.
 */
public final class StrictTrace implements TraceCommitment {
  private record Leaf(int nodeIndex, String nodeName, String outputName, Nd value) {}

  private final List<Leaf> leaves;
  private final List<Digest> hashes;
  private final Digest root;

  private StrictTrace(List<Leaf> leaves, List<Digest> hashes) {
    this.leaves = List.copyOf(leaves);
    this.hashes = List.copyOf(hashes);
    this.root = TraceMerkle.root(hashes);
  }

  @Override
  public Digest root() {
    return root;
  }

  @Override
  public long leafCount() {
    return leaves.size();
  }

  /** The hash of leaf {@code i}. */
  public Digest leafHash(int i) {
    return hashes.get(i);
  }

  /** Index of the leaf committing to value {@code outputName}, or -1. */
  public int indexOf(String outputName) {
    for (int i = 0; i < leaves.size(); i++) {
      if (leaves.get(i).outputName.equals(outputName)) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public TraceOpening open(long leafIndex) {
    if (leafIndex < 0 || leafIndex >= leaves.size()) {
      throw new IllegalArgumentException(
          "leaf " + leafIndex + " outside a trace of " + leaves.size() + " leaves");
    }
    Leaf l = leaves.get((int) leafIndex);
    return new TraceOpening(
        leafIndex,
        leaves.size(),
        l.nodeIndex,
        l.nodeName,
        l.outputName,
        l.value.toTensor(),
        TraceMerkle.inclusionPath(hashes, (int) leafIndex));
  }

  /** Collects leaves while a run executes. */
  public static final class Builder {
    private final List<Leaf> leaves = new ArrayList<>();
    private final List<Digest> hashes = new ArrayList<>();

    public void add(int nodeIndex, String nodeName, String outputName, Nd value) {
      long index = leaves.size();
      leaves.add(new Leaf(nodeIndex, nodeName, outputName, value));
      hashes.add(
          TraceMerkle.leafHash(
              TraceOpening.leafBytes(index, nodeIndex, nodeName, outputName, value.toTensor())));
    }

    public StrictTrace build() {
      return new StrictTrace(leaves, hashes);
    }
  }
}
