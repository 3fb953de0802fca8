package dev.verity.audit.bisect;

import dev.verity.core.Digest;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a dispute off-chain between two parties and a referee: bisection over the committed traces
 * to one leaf, then single-step re-execution. The same rules DisputeManager.sol enforces on-chain
 * (docs/DISPUTES.md); here the two parties are objects, so tests and the adversarial suite can run
 * honest and cheating strategies against each other.
 */
public final class DisputeGame<L> {
  private static final Logger LOG = LoggerFactory.getLogger(DisputeGame.class);

  private final SingleStepReferee<L> referee;

  public DisputeGame(SingleStepReferee<L> referee) {
    this.referee = referee;
  }

  /**
   * Plays the game.
   *
   * @param providerOutput the output digest the provider's receipt states
   * @param challengerOutput the output digest the challenger claims
   */
  public DisputeOutcome play(
      BisectionParty<L> provider,
      BisectionParty<L> challenger,
      Digest providerOutput,
      Digest challengerOutput) {
    long n = provider.leafCount();
    if (challenger.leafCount() != n) {
      // Leaf counts are fixed by the model and request; the side whose count the referee's
      // re-execution disagrees with loses. Not bisectable: both trees have different shapes.
      throw new IllegalArgumentException(
          "the traces have different leaf counts ("
              + n
              + " and "
              + challenger.leafCount()
              + "); a dispute needs equal counts");
    }
    if (provider.root().equals(challenger.root())) {
      if (providerOutput.equals(challengerOutput)) {
        throw new IllegalArgumentException("the parties agree on trace and output: no dispute");
      }
      return judgeOutput(provider, challenger, providerOutput, challengerOutput);
    }
    Bisection b = new Bisection(n, provider.root(), challenger.root());
    while (!b.done()) {
      Optional<BisectionMove> pm = provider.move(b.round(), b.start(), b.size());
      Optional<BisectionMove> cm = challenger.move(b.round(), b.start(), b.size());
      // Checked separately so the party at fault is named; the provider is checked first only
      // for a deterministic message, both are evaluated.
      Side silent = pm.isEmpty() ? Side.PROVIDER : cm.isEmpty() ? Side.CHALLENGER : null;
      if (pm.isEmpty() && cm.isEmpty()) {
        silent = Side.CHALLENGER; // the opener carries the burden when both go quiet
      }
      if (silent != null) {
        return new DisputeOutcome.Forfeited(silent, b.round(), "missed the move deadline");
      }
      try {
        b.check(Side.PROVIDER, pm.get());
      } catch (InvalidMoveException e) {
        return new DisputeOutcome.Forfeited(Side.PROVIDER, b.round(), e.getMessage());
      }
      try {
        b.check(Side.CHALLENGER, cm.get());
        b.apply(pm.get(), cm.get());
      } catch (InvalidMoveException e) {
        return new DisputeOutcome.Forfeited(e.side(), b.round(), e.getMessage());
      }
    }
    long leaf = b.disputedLeaf();
    LOG.debug("bisection pinned leaf {} of {} after {} rounds", leaf, n, b.round());
    return judgeStep(leaf, b.round(), provider, challenger);
  }

  /**
   * The referee's part alone, for a step pinned elsewhere (on-chain): re-executes leaf {@code leaf}
   * from each party's own openings ({@code leaf = leafCount} is the output step and needs the two
   * output digests from {@link #judgeOutput}).
   */
  public DisputeOutcome.Judged judgeStep(
      long leaf, int rounds, BisectionParty<L> provider, BisectionParty<L> challenger) {
    String pWhy = check(referee, leaf, provider, agreed(provider, leaf));
    String cWhy = check(referee, leaf, challenger, agreed(challenger, leaf));
    return judged(leaf, rounds, pWhy, cWhy);
  }

  /** The output step: both traces are equal and the two output digests differ. */
  public DisputeOutcome.Judged judgeOutput(
      BisectionParty<L> provider, BisectionParty<L> challenger, Digest pOut, Digest cOut) {
    long n = provider.leafCount();
    String pWhy = null;
    String cWhy = null;
    try {
      referee.checkOutput(provider.root(), n, pOut, agreed(provider, n));
    } catch (StepMismatchException e) {
      pWhy = e.getMessage();
    }
    try {
      referee.checkOutput(challenger.root(), n, cOut, agreed(challenger, n));
    } catch (StepMismatchException e) {
      cWhy = e.getMessage();
    }
    return judged(n, 0, pWhy, cWhy);
  }

  private static DisputeOutcome.Judged judged(long leaf, int rounds, String pWhy, String cWhy) {
    if (pWhy == null && cWhy == null) {
      throw new IllegalStateException(
          "the referee accepts two different commitments for leaf " + leaf);
    }
    Verdict v =
        pWhy == null
            ? Verdict.PROVIDER_CORRECT
            : cWhy == null ? Verdict.CHALLENGER_CORRECT : Verdict.BOTH_WRONG;
    String detail =
        (pWhy == null ? "" : "provider: " + pWhy)
            + (pWhy != null && cWhy != null ? "; " : "")
            + (cWhy == null ? "" : "challenger: " + cWhy);
    return new DisputeOutcome.Judged(leaf, rounds, v, detail);
  }

  private static <L> String check(
      SingleStepReferee<L> referee,
      long leaf,
      BisectionParty<L> party,
      SingleStepReferee.AgreedLeaves<L> agreed) {
    Optional<L> claimed = party.open(leaf);
    if (claimed.isEmpty()) {
      return "withheld its leaf " + leaf;
    }
    try {
      referee.checkStep(leaf, party.root(), party.leafCount(), claimed.get(), agreed);
      return null;
    } catch (StepMismatchException e) {
      return e.getMessage();
    }
  }

  /**
   * Leaves before {@code bound}, opened by {@code party} itself and verified under its own root.
   * They equal the other party's leaves (bisection agreed on every leaf before the pinned one), and
   * each party must supply its own evidence: one that withholds an input fails its own check.
   */
  private SingleStepReferee.AgreedLeaves<L> agreed(BisectionParty<L> party, long bound) {
    return index -> {
      if (index < 0 || index >= bound) {
        throw new StepMismatchException(
            "leaf " + index + " is not before the disputed leaf " + bound + ", so not agreed");
      }
      Optional<L> o = party.open(index);
      if (o.isEmpty()) {
        throw new StepMismatchException("withheld agreed leaf " + index);
      }
      referee.verifyOpening(index, party.root(), party.leafCount(), o.get());
      return o.get();
    };
  }
}
