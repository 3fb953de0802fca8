package dev.verity.llm;

/** How much of the generation trace to keep. The root is always computed. */
public enum TraceMode {
  /** Keep only leaf hashes: enough for the root and for inclusion proofs of hashes. */
  HASHES,
  /** Also keep every activation, so any (position, layer) leaf can be opened and re-executed. */
  FULL
}
