package dev.verity.client.tier;

import dev.verity.client.InferRequest;
import dev.verity.client.InferenceReply;
import dev.verity.client.NetworkClient;
import dev.verity.client.routing.Candidate;
import dev.verity.core.Digest;
import dev.verity.engine.TensorEncoding;
import dev.verity.receipt.eth.EthAddress;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * replicate:k: the request runs on k nodes of k different operators, taken in the routing client's
 * stake-weighted, capped order; every replica's outputs must digest to what its receipt signs, and
 * all replicas must agree.
 */
public final class ReplicatedInference {
  private ReplicatedInference() {}

  /** The agreed answer and every replica's reply. */
  public record Replicated(Digest outputDigest, List<InferenceReply> replies) {
    public Replicated {
      replies = List.copyOf(replies);
    }
  }

  /** The first node of each of {@code k} distinct operators in {@code plan} order. */
  public static List<Candidate> replicas(List<Candidate> plan, int k) throws IOException {
    if (k < 2) {
      throw new IllegalArgumentException("replicate needs at least 2 nodes, got " + k);
    }
    Set<EthAddress> ops = new LinkedHashSet<>();
    List<Candidate> out = new ArrayList<>();
    for (Candidate c : plan) {
      if (out.size() < k && ops.add(c.operator())) {
        out.add(c);
      }
    }
    if (out.size() < k) {
      throw new IOException(
          "replicate:" + k + " needs " + k + " operators serving the model, found " + out.size());
    }
    return out;
  }

  /**
   * Checks each reply's outputs against its receipt and that all receipts sign one output digest.
   */
  public static Digest agree(List<InferenceReply> replies) throws IOException {
    Map<String, Digest> byNode = new LinkedHashMap<>();
    for (InferenceReply r : replies) {
      Digest signed = r.receipt().receipt().receipt().outputDigest();
      Digest actual = TensorEncoding.digest(r.outputs());
      if (!actual.equals(signed)) {
        throw new IOException(
            "node "
                + r.receipt().receipt().receipt().node()
                + " returned outputs digesting to "
                + actual
                + " but its receipt signs "
                + signed);
      }
      byNode.put(r.receipt().receipt().receipt().node().toString(), signed);
    }
    if (Set.copyOf(byNode.values()).size() != 1) {
      throw new ReplicaDisagreementException(byNode, replies);
    }
    return byNode.values().iterator().next();
  }

  /**
   * Runs {@code request} on k replicas and returns the agreed answer. Replicas are taken in the
   * routing client's stake-weighted, per-operator-capped order, one node per operator; each reply's
   * receipt is verified against the registry (as {@link NetworkClient#inferOn} does) and must sign
   * the policy {@code replicate:k}. A replica that fails or answers with a bad receipt is replaced
   * by the next operator's node; a request a node refused as invalid is not retried.
   *
   * @throws ReplicaDisagreementException if the replicas' outputs differ, with every reply
   * @throws IOException if fewer than k operators answered, naming each failure
   */
  public static Replicated run(NetworkClient net, InferRequest request, int k) throws IOException {
    if (k < 2) {
      throw new IllegalArgumentException("replicate needs at least 2 nodes, got " + k);
    }
    Digest model = net.resolve(request.model());
    String id =
        request.requestId().isEmpty() ? "replicate-" + UUID.randomUUID() : request.requestId();
    String policy = "replicate:" + k;
    InferRequest r =
        new InferRequest(model.toString(), request.engine(), request.inputs(), policy, id);
    List<InferenceReply> replies = new ArrayList<>();
    Set<EthAddress> used = new LinkedHashSet<>();
    List<String> failures = new ArrayList<>();
    for (Candidate c : net.plan(model)) {
      if (replies.size() == k) {
        break;
      }
      if (used.contains(c.operator())) {
        continue;
      }
      try {
        InferenceReply reply = net.inferOn(c, r);
        String signed = reply.receipt().receipt().receipt().policy().text();
        if (!signed.equals(policy)) {
          throw new NetworkClient.ReceiptRejectedException(
              "receipt signs policy " + signed + ", not " + policy, null);
        }
        replies.add(reply);
        used.add(c.operator());
      } catch (IOException | RuntimeException e) {
        if (!NetworkClient.retryable(e)) {
          throw e;
        }
        failures.add(c.node() + " at " + c.endpoint() + ": " + e.getMessage());
      }
    }
    if (replies.size() < k) {
      throw new IOException(
          policy
              + " needs "
              + k
              + " operators serving "
              + model
              + "; "
              + replies.size()
              + " answered"
              + (failures.isEmpty() ? "" : ", failures: " + failures));
    }
    return new Replicated(agree(replies), replies);
  }
}
