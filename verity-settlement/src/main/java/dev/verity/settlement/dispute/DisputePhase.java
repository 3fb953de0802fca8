package dev.verity.settlement.dispute;

/** DisputeManager.Phase, in the contract's order. */
public enum DisputePhase {
  NONE,
  BISECTING,
  AWAITING_DRAW,
  REFEREEING,
  RESOLVED,
  /** A dispute over a receipt without a trace, until the provider commits its trace root. */
  AWAITING_PROVIDER_TRACE
}
