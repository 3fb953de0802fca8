package dev.verity.llm.trace;

import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.engine.TraceCommitment;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The commitment to one generation: an RFC 9162 Merkle tree whose leaves are every layer's output
 * at every position, ordered by position then layer (leaf index = position × layers + layer). When
 * the activations were retained, any leaf can be opened with its inclusion proof.
 */
public final class GenerationTrace implements TraceCommitment {
  private final int layers;
  private final int[] tokens;
  private final List<byte[]> leafHashes;
  private final List<float[]> activations;
  private final Digest root;

  GenerationTrace(int layers, int[] tokens, List<byte[]> leafHashes, List<float[]> activations) {
    this.layers = layers;
    this.tokens = tokens.clone();
    this.leafHashes = List.copyOf(leafHashes);
    this.activations = activations == null ? null : List.copyOf(activations);
    if (leafHashes.size() != (long) tokens.length * layers) {
      throw new IllegalArgumentException(
          "trace has " + leafHashes.size() + " leaves for " + tokens.length + " positions");
    }
    this.root = MerkleTree.root(this.leafHashes);
  }

  @Override
  public Digest root() {
    return root;
  }

  @Override
  public long leafCount() {
    return leafHashes.size();
  }

  public int positions() {
    return tokens.length;
  }

  public int layers() {
    return layers;
  }

  /** The input token at each committed position. */
  public int[] tokens() {
    return tokens.clone();
  }

  public boolean hasActivations() {
    return activations != null;
  }

  public long leafIndex(int position, int layer) {
    Objects.checkIndex(position, tokens.length);
    Objects.checkIndex(layer, layers);
    return (long) position * layers + layer;
  }

  public Digest leafHash(int position, int layer) {
    return new Digest(Bytes.copyOf(leafHashes.get((int) leafIndex(position, layer))));
  }

  /** The committed activation at (position, layer); needs a trace that retained activations. */
  public TraceLeaf leaf(int position, int layer) {
    if (activations == null) {
      throw new IllegalStateException(
          "this trace kept only leaf hashes; generate again with TraceMode.FULL to open leaves");
    }
    int i = (int) leafIndex(position, layer);
    return TraceLeaf.of(position, layer, tokens[position], activations.get(i));
  }

  public InclusionProof proof(int position, int layer) {
    return MerkleTree.proof(leafHashes, (int) leafIndex(position, layer));
  }

  /** A leaf with its proof, ready to hand to a verifier. */
  public ProvenLeaf provenLeaf(int position, int layer) {
    return new ProvenLeaf(leaf(position, layer), proof(position, layer));
  }

  /** Per-position leaf hashes, for comparing two traces to find the first differing step. */
  public List<Digest> leafHashes() {
    List<Digest> out = new ArrayList<>(leafHashes.size());
    for (byte[] h : leafHashes) {
      out.add(new Digest(Bytes.copyOf(h)));
    }
    return out;
  }
}
