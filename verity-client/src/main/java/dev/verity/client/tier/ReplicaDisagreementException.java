package dev.verity.client.tier;

import dev.verity.client.InferenceReply;
import dev.verity.core.Digest;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Replicas of a replicate:k request returned different outputs: at least one of them lied. Each
 * replica's reply comes with it (outputs and signed, logged receipt): the receipts are the evidence
 * that the nodes signed contradicting answers to one request.
 */
public final class ReplicaDisagreementException extends IOException {
  private final Map<String, Digest> outputByNode;
  private final List<InferenceReply> replies;

  public ReplicaDisagreementException(Map<String, Digest> outputByNode) {
    this(outputByNode, List.of());
  }

  public ReplicaDisagreementException(
      Map<String, Digest> outputByNode, List<InferenceReply> replies) {
    super("replicas disagree on the output: " + outputByNode);
    this.outputByNode = Map.copyOf(outputByNode);
    this.replies = List.copyOf(replies);
  }

  /** Each replica's output digest, by node address. */
  public Map<String, Digest> outputByNode() {
    return outputByNode;
  }

  /** Every replica's reply (outputs and receipt bundle), in the order they were asked. */
  public List<InferenceReply> replies() {
    return replies;
  }
}
