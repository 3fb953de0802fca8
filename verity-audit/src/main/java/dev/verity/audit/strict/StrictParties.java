package dev.verity.audit.strict;

import dev.verity.audit.bisect.TraceParty;
import dev.verity.core.Digest;
import dev.verity.engine.Tensor;
import dev.verity.engine.TraceCommitment;
import dev.verity.engine.TraceMerkle;
import dev.verity.engine.TraceOpening;
import java.util.ArrayList;
import java.util.List;

/** Dispute parties over strict-engine traces: one that commits to its real trace, one that lies. */
public final class StrictParties {
  private StrictParties() {}

  /** A party that plays by the trace its run committed to. */
  public static TraceParty<TraceOpening> honest(TraceCommitment trace) {
    List<TraceOpening> leaves = new ArrayList<>();
    for (long i = 0; i < trace.leafCount(); i++) {
      leaves.add(trace.open(i));
    }
    return fromLeaves(leaves);
  }

  /**
   * A party whose committed trace replaces the tensor of leaf {@code leaf} with {@code lie} and
   * keeps every other leaf (a trace that lies about one intermediate tensor).
   */
  public static TraceParty<TraceOpening> lyingAbout(TraceCommitment trace, long leaf, Tensor lie) {
    List<TraceOpening> leaves = new ArrayList<>();
    for (long i = 0; i < trace.leafCount(); i++) {
      TraceOpening o = trace.open(i);
      if (i == leaf) {
        o =
            new TraceOpening(
                o.leafIndex(),
                o.leafCount(),
                o.nodeIndex(),
                o.nodeName(),
                o.outputName(),
                lie,
                o.path());
      }
      leaves.add(o);
    }
    return fromLeaves(leaves);
  }

  /** A party committed to exactly these leaves (their paths are recomputed over them). */
  public static TraceParty<TraceOpening> fromLeaves(List<TraceOpening> leaves) {
    List<Digest> hashes = new ArrayList<>();
    for (TraceOpening o : leaves) {
      hashes.add(TraceMerkle.leafHash(o.leafBytes().toByteArray()));
    }
    List<TraceOpening> copy = List.copyOf(leaves);
    return new TraceParty<>(
        hashes,
        i -> {
          TraceOpening o = copy.get((int) i);
          return new TraceOpening(
              o.leafIndex(),
              o.leafCount(),
              o.nodeIndex(),
              o.nodeName(),
              o.outputName(),
              o.tensor(),
              TraceMerkle.inclusionPath(hashes, (int) i));
        });
  }
}
