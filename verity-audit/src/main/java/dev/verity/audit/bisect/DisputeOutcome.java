package dev.verity.audit.bisect;

import java.util.Objects;

/** How an off-chain dispute game ended. */
public sealed interface DisputeOutcome {
  boolean providerConvicted();

  boolean challengerLost();

  int rounds();

  /** The referee re-executed the pinned step (or the output step when {@code leafIndex = n}). */
  record Judged(long leafIndex, int rounds, Verdict verdict, String detail)
      implements DisputeOutcome {
    public Judged {
      Objects.requireNonNull(verdict, "verdict");
      Objects.requireNonNull(detail, "detail");
    }

    @Override
    public boolean providerConvicted() {
      return verdict.providerLost();
    }

    @Override
    public boolean challengerLost() {
      return verdict.challengerLost();
    }
  }

  /** A party missed a move, made a move inconsistent with its root, or withheld a leaf. */
  record Forfeited(Side loser, int rounds, String reason) implements DisputeOutcome {
    public Forfeited {
      Objects.requireNonNull(loser, "loser");
      Objects.requireNonNull(reason, "reason");
    }

    @Override
    public boolean providerConvicted() {
      return loser == Side.PROVIDER;
    }

    @Override
    public boolean challengerLost() {
      return loser == Side.CHALLENGER;
    }
  }
}
