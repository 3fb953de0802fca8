package dev.verity.client;

import dev.verity.core.Digest;
import dev.verity.log.bundle.ReceiptBundle;
import java.util.List;
import java.util.Objects;

/**
 * A finished chat completion and its receipt. The client has checked that the receipt's signature
 * recovers to the node address it names, that it is the receipt of this request (request id), and
 * that its output digest covers the token ids reported; whether to trust that node, and the log
 * inclusion against a trusted log key, is the caller's decision ({@code BundleVerifier}).
 *
 * @param id the completion id, also the receipt's request id
 * @param model the model as the node names it ({@code name@version})
 * @param text the generated text
 * @param finishReason {@code stop} or {@code length}
 * @param promptTokens the prompt's token ids (after the node's chat template)
 * @param completionTokens the generated token ids
 * @param seed the sampling seed (also in the receipt)
 * @param receiptId SHA-256 of the signed receipt's canonical bytes
 * @param logIndex the receipt's index in the node's transparency log
 * @param receipt the receipt bundle: signed receipt, inclusion proof and checkpoint
 */
public record ChatCompletion(
    String id,
    String model,
    String text,
    String finishReason,
    List<Integer> promptTokens,
    List<Integer> completionTokens,
    long seed,
    Digest receiptId,
    long logIndex,
    ReceiptBundle receipt) {
  public ChatCompletion {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(finishReason, "finishReason");
    promptTokens = List.copyOf(promptTokens);
    completionTokens = List.copyOf(completionTokens);
    Objects.requireNonNull(receiptId, "receiptId");
    Objects.requireNonNull(receipt, "receipt");
  }
}
