package dev.verity.audit.llm;

import dev.verity.audit.bisect.TraceParty;
import dev.verity.core.Digest;
import dev.verity.llm.trace.GenerationTrace;
import dev.verity.llm.trace.MerkleTree;
import dev.verity.llm.trace.ProvenLeaf;
import dev.verity.llm.trace.TraceLeaf;
import java.util.ArrayList;
import java.util.List;

/** Dispute parties over LLM generation traces (which must have kept activations). */
public final class LlmParties {
  private LlmParties() {}

  public static TraceParty<ProvenLeaf> honest(GenerationTrace trace) {
    return fromLeaves(leaves(trace));
  }

  /** A trace whose activation at (position, layer) is {@code lie}; every other leaf is true. */
  public static TraceParty<ProvenLeaf> lyingAbout(
      GenerationTrace trace, int position, int layer, float[] lie) {
    List<TraceLeaf> leaves = leaves(trace);
    int i = (int) trace.leafIndex(position, layer);
    TraceLeaf t = leaves.get(i);
    leaves.set(i, TraceLeaf.of(t.position(), t.layer(), t.token(), lie));
    return fromLeaves(leaves);
  }

  /** A trace that claims {@code token} was the input at {@code position} (all layers). */
  public static TraceParty<ProvenLeaf> lyingAboutToken(
      GenerationTrace trace, int position, int token) {
    List<TraceLeaf> leaves = leaves(trace);
    for (int l = 0; l < trace.layers(); l++) {
      int i = (int) trace.leafIndex(position, l);
      TraceLeaf t = leaves.get(i);
      leaves.set(i, new TraceLeaf(t.position(), t.layer(), token, t.activation()));
    }
    return fromLeaves(leaves);
  }

  /** A party committed to exactly these leaves (position-major, then layer). */
  public static TraceParty<ProvenLeaf> fromLeaves(List<TraceLeaf> leaves) {
    List<Digest> hashes = new ArrayList<>();
    List<byte[]> raw = new ArrayList<>();
    for (TraceLeaf l : leaves) {
      Digest h = l.leafHash();
      hashes.add(h);
      raw.add(h.value().toByteArray());
    }
    List<TraceLeaf> copy = List.copyOf(leaves);
    return new TraceParty<>(
        hashes, i -> new ProvenLeaf(copy.get((int) i), MerkleTree.proof(raw, (int) i)));
  }

  private static List<TraceLeaf> leaves(GenerationTrace trace) {
    List<TraceLeaf> out = new ArrayList<>();
    for (int p = 0; p < trace.positions(); p++) {
      for (int l = 0; l < trace.layers(); l++) {
        out.add(trace.leaf(p, l));
      }
    }
    return out;
  }
}
