package dev.verity.audit.bisect;

/** The two parties of a dispute: the provider who signed the receipt and its challenger. */
public enum Side {
  PROVIDER,
  CHALLENGER
}
