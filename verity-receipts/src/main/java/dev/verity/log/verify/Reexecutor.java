package dev.verity.log.verify;

import dev.verity.receipt.SignedReceipt;

/**
 * Hook for a higher layer that re-runs the inference (strict engine, model files) and checks output
 * digest and trace root; it throws with a message naming what differs.
 */
@FunctionalInterface
public interface Reexecutor {
  void reexecute(SignedReceipt receipt) throws Exception;
}
