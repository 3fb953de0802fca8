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

  /**
   * The first {@code n} leaves of {@code p}, padded with filler leaves when {@code p} has fewer: a
   * tree of the size a deferred-trace dispute fixed, for a provider whose model has another leaf
   * count (verity-settlement docs/DISPUTES.md). Openings past {@code p}'s end repeat its last one.
   */
  public static TraceParty<TraceOpening> resized(TraceParty<TraceOpening> p, long n) {
    if (n < 1 || n > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("leaf count must be in [1, 2^31), got " + n);
    }
    List<Digest> hashes = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      hashes.add(
          i < p.leafCount()
              ? p.leafHashes().get(i)
              : TraceMerkle.leafHash(
                  ("verity: no leaf " + i).getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    }
    long last = p.leafCount() - 1;
    return new TraceParty<>(hashes, i -> p.open(Math.min(i, last)).orElseThrow());
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
