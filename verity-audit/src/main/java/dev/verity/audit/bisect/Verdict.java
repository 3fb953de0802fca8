package dev.verity.audit.bisect;

/**
 * What re-executing the disputed step shows. The codes are the {@code uint8 winner} of the signed
 * Verdict on-chain (DisputeManager.sol).
 */
public enum Verdict {
  /** The provider's committed step is correct: the challenger lied. */
  PROVIDER_CORRECT(1),
  /** The challenger's step is correct: the provider lied. */
  CHALLENGER_CORRECT(2),
  /** Neither committed leaf is the step's output: both lied. */
  BOTH_WRONG(3);

  public final int code;

  Verdict(int code) {
    this.code = code;
  }

  public static Verdict of(int code) {
    for (Verdict v : values()) {
      if (v.code == code) {
        return v;
      }
    }
    throw new IllegalArgumentException("verdict code must be 1, 2 or 3, got " + code);
  }

  public boolean providerLost() {
    return this != PROVIDER_CORRECT;
  }

  public boolean challengerLost() {
    return this != CHALLENGER_CORRECT;
  }
}
