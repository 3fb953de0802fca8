package dev.verity.audit.bisect;

import dev.verity.core.Digest;
import dev.verity.engine.TraceMerkle;
import java.util.List;
import java.util.Optional;
import java.util.function.LongFunction;

/**
 * A party that plays by its own committed trace: its moves are computed from its leaf hashes. An
 * honest party commits to the true trace; a cheating one commits to a doctored trace and still has
 * to play consistently with it, because every move is checked against its root.
 */
public class TraceParty<L> implements BisectionParty<L> {
  private final List<Digest> leafHashes;
  private final Digest root;
  private final LongFunction<L> opener;

  public TraceParty(List<Digest> leafHashes, LongFunction<L> opener) {
    if (leafHashes.isEmpty()) {
      throw new IllegalArgumentException("a trace needs at least one leaf");
    }
    this.leafHashes = List.copyOf(leafHashes);
    this.root = TraceMerkle.root(this.leafHashes);
    this.opener = opener;
  }

  @Override
  public Digest root() {
    return root;
  }

  @Override
  public long leafCount() {
    return leafHashes.size();
  }

  public List<Digest> leafHashes() {
    return leafHashes;
  }

  @Override
  public Optional<BisectionMove> move(int round, long start, long size) {
    if (start < 0 || size < 2 || start + size > leafHashes.size()) {
      return Optional.empty();
    }
    long k = Bisection.split(size);
    Digest left = TraceMerkle.root(leafHashes.subList((int) start, (int) (start + k)));
    Digest right = TraceMerkle.root(leafHashes.subList((int) (start + k), (int) (start + size)));
    return Optional.of(new BisectionMove(round, start, size, left, right));
  }

  @Override
  public Optional<L> open(long index) {
    if (index < 0 || index >= leafHashes.size()) {
      return Optional.empty();
    }
    return Optional.ofNullable(opener.apply(index));
  }
}
