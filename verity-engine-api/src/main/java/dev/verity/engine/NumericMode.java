package dev.verity.engine;

/** How two honest runs of the same inference compare. */
public enum NumericMode {
  /** Identical bits on every machine; audits compare digests. */
  BITWISE,
  /** Bits depend on the platform; audits compare within published thresholds. */
  TOLERANCE
}
