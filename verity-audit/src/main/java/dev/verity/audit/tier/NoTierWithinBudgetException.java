package dev.verity.audit.tier;

/** No tier keeps P(undetected) × V within the budget under the stated assumptions. */
public final class NoTierWithinBudgetException extends RuntimeException {
  public NoTierWithinBudgetException(String message) {
    super(message);
  }
}
