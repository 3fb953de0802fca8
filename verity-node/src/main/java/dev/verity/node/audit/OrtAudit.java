package dev.verity.node.audit;

import dev.verity.core.Digest;
import dev.verity.engine.EngineLimits;
import dev.verity.engine.InferenceException;
import dev.verity.engine.LoadedModel;
import dev.verity.engine.ModelLoadException;
import dev.verity.engine.RunOptions;
import dev.verity.engine.Tensor;
import dev.verity.engine.TensorEncoding;
import dev.verity.engine.ort.OrtConfig;
import dev.verity.engine.ort.OrtEngine;
import dev.verity.engine.ort.OrtTolerance;
import dev.verity.engine.ort.ToleranceExceededException;
import dev.verity.receipt.Receipt;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * The audit of an ONNX Runtime receipt (numeric mode "tolerance"): its bits depend on the machine,
 * so the auditor re-runs with its own pinned ORT and accepts the provider's outputs if every
 * element is within {@link OrtTolerance}. The provider's outputs must digest to what the receipt
 * signs. The re-run uses the pinned configuration ({@link OrtConfig#DEFAULT} on {@link
 * OrtConfig#PINNED_ORT_VERSION}); a receipt of another ORT version cannot be reproduced and is
 * refused. There is no trace to bisect: a failed ORT audit is a reported detection, not a
 * single-step dispute (docs/AUDIT.md).
 */
public final class OrtAudit {
  private OrtAudit() {}

  /** Outcome of one ORT audit. */
  public sealed interface Result {
    /** Every output within tolerance. */
    record Within() implements Result {}

    /** An output is out of tolerance (or missing, or the outputs do not match the receipt). */
    record Exceeded(String reason) implements Result {
      public Exceeded {
        Objects.requireNonNull(reason, "reason");
      }
    }
  }

  /**
   * @param modelFile the model the receipt names (the auditor checked its digest)
   * @param claimed the outputs the provider returned with the receipt
   */
  public static Result audit(
      Path modelFile,
      Map<String, Tensor> inputs,
      Map<String, Tensor> claimed,
      Receipt receipt,
      OrtTolerance tolerance)
      throws ModelLoadException, InferenceException {
    if (!OrtEngine.ID.equals(receipt.engineId())) {
      throw new IllegalArgumentException(
          "receipt engine is " + receipt.engineId() + "; this audit re-executes ORT receipts");
    }
    if (!OrtConfig.PINNED_ORT_VERSION.equals(receipt.engineVersion())) {
      throw new IllegalArgumentException(
          "receipt ran ONNX Runtime "
              + receipt.engineVersion()
              + "; this auditor re-runs the pinned "
              + OrtConfig.PINNED_ORT_VERSION);
    }
    Digest in = TensorEncoding.digest(inputs);
    if (!in.equals(receipt.inputDigest())) {
      throw new IllegalArgumentException(
          "the inputs digest to " + in + " but the receipt signed " + receipt.inputDigest());
    }
    Digest out = TensorEncoding.digest(claimed);
    if (!out.equals(receipt.outputDigest())) {
      return new Result.Exceeded(
          "the returned outputs digest to "
              + out
              + " but the receipt signs "
              + receipt.outputDigest());
    }
    Map<String, Tensor> reference;
    try (LoadedModel m = new OrtEngine(OrtConfig.DEFAULT).load(modelFile, EngineLimits.DEFAULT)) {
      reference = m.run(inputs, RunOptions.DEFAULT).outputs();
    }
    if (!reference.keySet().equals(claimed.keySet())) {
      return new Result.Exceeded(
          "outputs " + claimed.keySet() + " differ from the model's " + reference.keySet());
    }
    for (Map.Entry<String, Tensor> e : reference.entrySet()) {
      try {
        tolerance.verify(e.getValue(), claimed.get(e.getKey()));
      } catch (ToleranceExceededException x) {
        return new Result.Exceeded("output " + e.getKey() + ": " + x.getMessage());
      }
    }
    return new Result.Within();
  }
}
