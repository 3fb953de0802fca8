package dev.verity.node.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.verity.audit.draw.AuditDraw;
import dev.verity.audit.draw.AuditOutcome;
import dev.verity.audit.draw.Candidate;
import dev.verity.audit.reexec.AuditResult;
import dev.verity.audit.reexec.StrictAudit;
import dev.verity.audit.tier.Assumptions;
import dev.verity.audit.tier.AuditDecision;
import dev.verity.audit.tier.TierSelector;
import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.engine.EngineLimits;
import dev.verity.engine.InferenceException;
import dev.verity.engine.ModelLoadException;
import dev.verity.engine.Tensor;
import dev.verity.receipt.SignedReceipt;
import dev.verity.receipt.VerificationPolicy;
import dev.verity.receipt.eth.EthAddress;
import dev.verity.settlement.NodeInfo;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The sample:p audit path (docs/DRAW.md in verity-audit): the receipt is logged and its checkpoint
 * anchored in block {@code a}; the draw uses the hash of a block after {@code a}; if selected, an
 * auditor of another operator, drawn stake-weighted with a cap, re-executes with the strict engine
 * and compares digests.
 */
public final class SampledAudit {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private SampledAudit() {}

  /**
   * How recent an auditor's heartbeat must be, as of the anchor block's time, for the draw to name
   * it: a node that crashed but stays registered would otherwise keep being drawn and never audit,
   * so that detection fell below what receipts state. A protocol constant, so that every node draws
   * alike.
   */
  public static final Duration AUDITOR_LIVENESS = Duration.ofHours(1);

  /**
   * Nodes eligible to audit {@code model} as of {@code anchorTime}: not banned, staked, serving it,
   * heartbeat within {@link #AUDITOR_LIVENESS} before it; registry order.
   */
  public static List<Candidate> candidates(
      List<NodeInfo> registry, Digest model, Instant anchorTime) {
    Instant oldest = anchorTime.minus(AUDITOR_LIVENESS);
    return candidates(
        registry.stream().filter(n -> !n.lastHeartbeat().isBefore(oldest)).toList(), model);
  }

  /** Nodes eligible to audit {@code model}: not banned, staked, serving it; registry order. */
  public static List<Candidate> candidates(List<NodeInfo> registry, Digest model) {
    List<Candidate> out = new ArrayList<>();
    for (NodeInfo n : registry) {
      if (!n.banned() && n.stakeWei().signum() > 0 && n.models().contains(model)) {
        out.add(new Candidate(n.node(), n.operator(), n.stakeWei()));
      }
    }
    return out;
  }

  /** The operator that registered {@code node}. */
  public static EthAddress operatorOf(List<NodeInfo> registry, EthAddress node) {
    return registry.stream()
        .filter(n -> n.node().equals(node))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("node " + node + " is not registered"))
        .operator();
  }

  /**
   * The lottery for one receipt anchored in {@code anchorBlock}, using a later block's hash.
   *
   * @param registry the registry as of {@code anchorBlock} ({@code Settlement.nodes(anchorBlock)}),
   *     so that every node draws the same auditor however much later it runs the draw
   * @param anchorTime the timestamp of {@code anchorBlock}: auditors must have sent a heartbeat
   *     within {@link #AUDITOR_LIVENESS} before it
   */
  public static AuditOutcome draw(
      SignedReceipt receipt,
      List<NodeInfo> registry,
      long anchorBlock,
      Instant anchorTime,
      long drawBlock,
      Bytes drawBlockHash,
      int capBps) {
    if (!(receipt.receipt().policy() instanceof VerificationPolicy.Sample s)) {
      throw new IllegalArgumentException(
          "receipt policy is " + receipt.receipt().policy().text() + ", not sample:p");
    }
    return AuditDraw.decide(
        receipt.id().value(),
        anchorBlock,
        drawBlock,
        drawBlockHash,
        s.probability(),
        candidates(registry, receipt.receipt().modelDigest(), anchorTime),
        operatorOf(registry, receipt.receipt().node()),
        capBps);
  }

  /** The auditor's re-execution of a strict receipt against the request's inputs. */
  public static AuditResult reexecute(
      byte[] modelBytes, Map<String, Tensor> inputs, SignedReceipt receipt)
      throws ModelLoadException, InferenceException {
    return StrictAudit.audit(modelBytes, inputs, receipt.receipt(), EngineLimits.DEFAULT);
  }

  /** P(detect) the receipt's tier states: 1 − P(undetected) under {@code a}. */
  public static double statedDetection(VerificationPolicy policy, Assumptions a) {
    AuditDecision d = TierSelector.decide(policy, a);
    return 1.0 - d.undetectedProbability();
  }

  /** A sample probability as the policy text carries it. */
  public static VerificationPolicy sample(BigDecimal p) {
    return VerificationPolicy.parse("sample:" + p.stripTrailingZeros().toPlainString());
  }

  /** The timestamp of block {@code number} over JSON-RPC. */
  public static Instant blockTime(String rpcUrl, long number) throws IOException {
    JsonNode t = block(rpcUrl, number).path("timestamp");
    if (!t.isTextual() || !t.asText().startsWith("0x")) {
      throw new IOException("block " + number + " has no timestamp");
    }
    return Instant.ofEpochSecond(Long.parseLong(t.asText().substring(2), 16));
  }

  /** The hash of block {@code number} over JSON-RPC. */
  public static Bytes blockHash(String rpcUrl, long number) throws IOException {
    JsonNode hash = block(rpcUrl, number).path("hash");
    if (!hash.isTextual()) {
      throw new IOException("block " + number + " has no hash");
    }
    return Bytes.fromHex(hash.asText().substring(2));
  }

  private static JsonNode block(String rpcUrl, long number) throws IOException {
    String body =
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_getBlockByNumber\",\"params\":[\"0x"
            + Long.toHexString(number)
            + "\",false]}";
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(rpcUrl))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      JsonNode block = JSON.readTree(r.body()).path("result");
      if (!block.isObject()) {
        throw new IOException("block " + number + " not found: " + r.body());
      }
      return block;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted reading block " + number, e);
    }
  }
}
