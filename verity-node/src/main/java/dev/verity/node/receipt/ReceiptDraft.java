package dev.verity.node.receipt;

import dev.verity.core.Digest;
import dev.verity.engine.EngineInfo;
import dev.verity.engine.TraceCommitment;
import dev.verity.receipt.Receipt;
import dev.verity.receipt.VerificationPolicy;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * What a feature knows about one inference before the node signs it: everything in a {@link
 * Receipt} except the node identity and the time, which {@link ReceiptIssuer} fills in. A missing
 * request id is generated. Build with {@link #of} and the {@code with*} methods.
 */
public record ReceiptDraft(
    Digest modelDigest,
    EngineInfo engine,
    Digest inputDigest,
    Digest outputDigest,
    Digest traceRoot,
    long traceLeaves,
    String requestId,
    VerificationPolicy policy,
    long seed) {

  public ReceiptDraft {
    Objects.requireNonNull(modelDigest, "modelDigest");
    Objects.requireNonNull(engine, "engine");
    Objects.requireNonNull(inputDigest, "inputDigest");
    Objects.requireNonNull(outputDigest, "outputDigest");
    Objects.requireNonNull(traceRoot, "traceRoot");
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(policy, "policy");
    if (traceRoot.equals(Receipt.NO_TRACE) != (traceLeaves == 0)) {
      throw new IllegalArgumentException(
          "traceRoot must be zero exactly when traceLeaves is 0 (no trace)");
    }
  }

  /** A draft without trace, with a fresh request id and policy {@code none}. */
  public static ReceiptDraft of(
      Digest modelDigest, EngineInfo engine, Digest inputDigest, Digest outputDigest) {
    return new ReceiptDraft(
        modelDigest,
        engine,
        inputDigest,
        outputDigest,
        Receipt.NO_TRACE,
        0,
        newRequestId(),
        VerificationPolicy.NONE,
        0);
  }

  /** A fresh random request id ({@code req-} and a UUID). */
  public static String newRequestId() {
    return "req-" + UUID.randomUUID();
  }

  /** With the engine's trace commitment; an empty commitment counts as no trace. */
  public ReceiptDraft withTrace(TraceCommitment t) {
    Digest root = t.leafCount() == 0 ? Receipt.NO_TRACE : t.root();
    return new ReceiptDraft(
        modelDigest,
        engine,
        inputDigest,
        outputDigest,
        root,
        t.leafCount(),
        requestId,
        policy,
        seed);
  }

  public ReceiptDraft withTrace(Optional<TraceCommitment> t) {
    return t.isPresent() ? withTrace(t.get()) : this;
  }

  public ReceiptDraft withTrace(Digest root, long leaves) {
    return new ReceiptDraft(
        modelDigest, engine, inputDigest, outputDigest, root, leaves, requestId, policy, seed);
  }

  /** With the client's request id (printable ASCII, no spaces, at most 128 characters). */
  public ReceiptDraft withRequestId(String id) {
    return new ReceiptDraft(
        modelDigest, engine, inputDigest, outputDigest, traceRoot, traceLeaves, id, policy, seed);
  }

  public ReceiptDraft withPolicy(VerificationPolicy p) {
    return new ReceiptDraft(
        modelDigest, engine, inputDigest, outputDigest, traceRoot, traceLeaves, requestId, p, seed);
  }

  /** With the sampling seed of an LLM request. */
  public ReceiptDraft withSeed(long s) {
    return new ReceiptDraft(
        modelDigest,
        engine,
        inputDigest,
        outputDigest,
        traceRoot,
        traceLeaves,
        requestId,
        policy,
        s);
  }
}
