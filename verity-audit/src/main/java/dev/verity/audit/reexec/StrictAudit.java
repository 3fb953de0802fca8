package dev.verity.audit.reexec;

import dev.verity.core.Digest;
import dev.verity.engine.EngineLimits;
import dev.verity.engine.InferenceException;
import dev.verity.engine.InferenceResult;
import dev.verity.engine.ModelLoadException;
import dev.verity.engine.RunOptions;
import dev.verity.engine.Tensor;
import dev.verity.engine.TensorEncoding;
import dev.verity.engine.TraceCommitment;
import dev.verity.engine.strict.StrictEngine;
import dev.verity.engine.strict.StrictModel;
import dev.verity.receipt.Receipt;
import java.util.Map;

/**
 * The audit of a strict-engine receipt: re-run the model on the request's inputs with a trace and
 * compare digests. Verification is equality (DESIGN.md), so any difference is a mismatch and the
 * auditor's trace becomes the challenger's commitment in a dispute.
 */
public final class StrictAudit {
  private StrictAudit() {}

  /**
   * @throws IllegalArgumentException if the receipt is not a strict-engine receipt or the inputs do
   *     not match its input digest (the auditor must audit the request the receipt signed)
   */
  public static AuditResult audit(
      byte[] modelBytes, Map<String, Tensor> inputs, Receipt receipt, EngineLimits limits)
      throws ModelLoadException, InferenceException {
    if (!StrictEngine.ID.equals(receipt.engineId())) {
      throw new IllegalArgumentException(
          "receipt engine is " + receipt.engineId() + "; this audit re-executes strict receipts");
    }
    Digest in = TensorEncoding.digest(inputs);
    if (!in.equals(receipt.inputDigest())) {
      throw new IllegalArgumentException(
          "the inputs digest to " + in + " but the receipt signed " + receipt.inputDigest());
    }
    InferenceResult r;
    try (StrictModel m = new StrictEngine().load(modelBytes, limits)) {
      r = m.run(inputs, RunOptions.WITH_TRACE);
    }
    TraceCommitment trace = r.trace().orElseThrow();
    Digest out = TensorEncoding.digest(r.outputs());
    boolean outOk = out.equals(receipt.outputDigest());
    // A receipt without a trace (traceLeaves 0) commits to the output only.
    boolean traceOk =
        receipt.traceLeaves() == 0
            || trace.root().equals(receipt.traceRoot())
                && trace.leafCount() == receipt.traceLeaves();
    if (outOk && traceOk) {
      return new AuditResult.Match(out, trace.root());
    }
    String reason =
        (outOk ? "" : "output digest differs")
            + (!outOk && !traceOk ? "; " : "")
            + (traceOk ? "" : "trace root or leaf count differs");
    return new AuditResult.Mismatch(
        receipt.outputDigest(), out, receipt.traceRoot(), trace.root(), trace, reason);
  }
}
