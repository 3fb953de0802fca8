package dev.verity.audit.bisect;

import dev.verity.core.Digest;
import java.util.Objects;

/**
 * The bisection state both parties and the contract agree on: a subtree {@code [start, start +
 * size)} of the two committed RFC 9162 trees (same leaf count) whose hashes differ. Each round both
 * parties reveal the subtree's two children; each reveal must hash to that party's current subtree
 * hash. If the left children differ the game descends left, otherwise right (the right ones must
 * then differ). After ⌈log2 n⌉ rounds one leaf is left: the first leaf where the traces differ, and
 * every earlier leaf is equal in both (it lies in a left sibling whose hashes agreed).
 */
public final class Bisection {
  private final long leafCount;
  private long start;
  private long size;
  private Digest providerHash;
  private Digest challengerHash;
  private int round;

  public Bisection(long leafCount, Digest providerRoot, Digest challengerRoot) {
    if (leafCount < 1) {
      throw new IllegalArgumentException("a trace needs at least one leaf");
    }
    Objects.requireNonNull(providerRoot, "providerRoot");
    Objects.requireNonNull(challengerRoot, "challengerRoot");
    if (providerRoot.equals(challengerRoot)) {
      throw new IllegalArgumentException("the committed roots are equal: nothing to bisect");
    }
    this.leafCount = leafCount;
    this.start = 0;
    this.size = leafCount;
    this.providerHash = providerRoot;
    this.challengerHash = challengerRoot;
  }

  /** Size of the left child of a subtree of {@code size} leaves (RFC 9162 split). */
  public static long split(long size) {
    if (size < 2) {
      throw new IllegalArgumentException("a subtree of " + size + " leaves has no children");
    }
    return Long.highestOneBit(size - 1);
  }

  public long leafCount() {
    return leafCount;
  }

  public long start() {
    return start;
  }

  public long size() {
    return size;
  }

  public int round() {
    return round;
  }

  public boolean done() {
    return size == 1;
  }

  /** The disputed leaf once {@link #done()}. */
  public long disputedLeaf() {
    if (!done()) {
      throw new IllegalStateException("bisection not finished: " + size + " leaves remain");
    }
    return start;
  }

  public Digest hash(Side side) {
    return side == Side.PROVIDER ? providerHash : challengerHash;
  }

  /** Throws {@link InvalidMoveException} naming the party if its move does not fit the state. */
  public void check(Side side, BisectionMove m) throws InvalidMoveException {
    if (done()) {
      throw new InvalidMoveException(side, "the bisection is finished");
    }
    if (m.round() != round || m.start() != start || m.size() != size) {
      throw new InvalidMoveException(
          side,
          "move is for round "
              + m.round()
              + " subtree ["
              + m.start()
              + ", +"
              + m.size()
              + "), expected round "
              + round
              + " subtree ["
              + start
              + ", +"
              + size
              + ")");
    }
    if (!m.parent().equals(hash(side))) {
      throw new InvalidMoveException(
          side, "children do not hash to the committed subtree hash " + hash(side));
    }
  }

  /** Applies a round after both moves passed {@link #check}. */
  public void apply(BisectionMove provider, BisectionMove challenger) throws InvalidMoveException {
    check(Side.PROVIDER, provider);
    check(Side.CHALLENGER, challenger);
    long k = split(size);
    if (!provider.left().equals(challenger.left())) {
      size = k;
      providerHash = provider.left();
      challengerHash = challenger.left();
    } else {
      start += k;
      size -= k;
      providerHash = provider.right();
      challengerHash = challenger.right();
    }
    round++;
  }
}
