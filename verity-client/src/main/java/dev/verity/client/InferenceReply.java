package dev.verity.client;

import dev.verity.core.Digest;
import dev.verity.engine.Tensor;
import dev.verity.log.bundle.ReceiptBundle;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A node's answer to an inference: the outputs, the model that ran, and the signed receipt with its
 * log index, inclusion proof and checkpoint ({@link #receipt()}). The client has already checked
 * that the outputs hash to the receipt's output digest; the signature and log are checked by {@link
 * ReceiptVerifier}.
 */
public record InferenceReply(
    String requestId,
    String modelName,
    String modelVersion,
    Digest modelDigest,
    Map<String, Tensor> outputs,
    ReceiptBundle receipt) {
  public InferenceReply {
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(modelDigest, "modelDigest");
    outputs = Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
    Objects.requireNonNull(receipt, "receipt");
  }

  public long logIndex() {
    return receipt.logIndex();
  }

  /** SHA-256 of the receipt's canonical bytes: a stable id for the signed receipt. */
  public Digest receiptId() {
    return receipt.receipt().id();
  }
}
