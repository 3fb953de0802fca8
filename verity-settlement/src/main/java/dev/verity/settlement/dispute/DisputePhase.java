package dev.verity.settlement.dispute;

/** DisputeManager.Phase, in the contract's order. */
public enum DisputePhase {
  NONE,
  BISECTING,
  AWAITING_DRAW,
  REFEREEING,
  RESOLVED
}
