package dev.verity.client.tier;

import dev.verity.core.Digest;
import java.io.IOException;
import java.util.Map;

/** Replicas of a replicate:k request returned different outputs: at least one of them lied. */
public final class ReplicaDisagreementException extends IOException {
  private final Map<String, Digest> outputByNode;

  public ReplicaDisagreementException(Map<String, Digest> outputByNode) {
    super("replicas disagree on the output: " + outputByNode);
    this.outputByNode = Map.copyOf(outputByNode);
  }

  /** Each replica's output digest, by node address. */
  public Map<String, Digest> outputByNode() {
    return outputByNode;
  }
}
