package dev.verity.audit.bisect;

import dev.verity.core.Digest;
import java.util.Optional;

/**
 * One side of a dispute as the game sees it: its committed trace (root, leaf count), its moves, and
 * openings of its leaves. An empty result means the party stays silent and loses by timeout.
 *
 * @param <L> the engine's leaf opening type (a leaf with its inclusion proof)
 */
public interface BisectionParty<L> {
  Digest root();

  long leafCount();

  /** The children of subtree {@code [start, start + size)} under this party's root. */
  Optional<BisectionMove> move(int round, long start, long size);

  /** Leaf {@code index} with its inclusion proof under this party's root. */
  Optional<L> open(long index);

  /** A party committed to {@code root} that never moves or opens anything: it loses by timeout. */
  static <L> BisectionParty<L> silent(Digest root, long leafCount) {
    return openingOnly(root, leafCount, index -> Optional.empty());
  }

  /**
   * A party committed to {@code root} that never moves and opens leaves through {@code open}
   * (another node's party, seen through its API).
   */
  static <L> BisectionParty<L> openingOnly(
      Digest root, long leafCount, java.util.function.LongFunction<Optional<L>> open) {
    return new BisectionParty<>() {
      @Override
      public Digest root() {
        return root;
      }

      @Override
      public long leafCount() {
        return leafCount;
      }

      @Override
      public Optional<BisectionMove> move(int round, long start, long size) {
        return Optional.empty();
      }

      @Override
      public Optional<L> open(long index) {
        return open.apply(index);
      }
    };
  }
}
