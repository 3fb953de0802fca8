package dev.verity.node.audit;

import dev.verity.llm.LlmLimits;
import dev.verity.llm.LlmOptions;
import dev.verity.node.NodeServices;
import dev.verity.node.config.NetworkConfig;
import dev.verity.node.config.NodeConfig;
import dev.verity.node.openai.LlmArchive;
import dev.verity.node.openai.LlmReplay;
import dev.verity.node.openai.LlmTraceLie;
import dev.verity.receipt.ReceiptKey;
import dev.verity.receipt.eth.EthAddress;
import dev.verity.settlement.Deployment;
import dev.verity.settlement.NodeInfo;
import dev.verity.settlement.dispute.DisputeParameters;
import dev.verity.settlement.evm.EvmDisputes;
import dev.verity.settlement.evm.EvmKey;
import dev.verity.settlement.evm.EvmSettlement;
import java.math.BigInteger;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's dispute duties, started from its configuration: the responder and the referee duty
 * whenever {@code dispute-manager} is set, the autonomous auditor when {@code audit-enabled} is
 * true too. Transactions go from the operator account; verdicts are signed with the node key.
 */
final class NodeDisputes implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NodeDisputes.class);
  static final Duration POLL = Duration.ofSeconds(2);

  private final List<AutoCloseable> parts = new ArrayList<>();
  private AutoAuditor auditor;

  /** The autonomous auditor, when {@code audit-enabled} is true. */
  Optional<AutoAuditor> auditor() {
    return Optional.ofNullable(auditor);
  }

  /** Starts what the configuration asks for; empty when disputes are not configured. */
  static Optional<NodeDisputes> start(NodeConfig config, NodeServices services, DisputeEvidence ev)
      throws Exception {
    NetworkConfig net = config.network();
    if (!net.enabled() || net.disputeManager().isEmpty()) {
      if (net.auditEnabled()) {
        LOG.warn("audit-enabled is set but dispute-manager is not: the node will not audit");
      }
      return Optional.empty();
    }
    NodeDisputes d = new NodeDisputes();
    try {
      Deployment deployment = Deployment.read(net.deployment());
      EvmKey operator = EvmKey.load(net.operatorKey());
      ReceiptKey nodeKey = ReceiptKey.load(config.dataDir().resolve("keys").resolve("receipt.key"));
      EthAddress dm = EthAddress.parse(net.disputeManager());
      URI rpc = URI.create(net.chainRpcUrl());
      EvmDisputes disputes = EvmDisputes.connect(net.chainRpcUrl(), deployment, dm, operator);
      d.parts.add(disputes);
      EvmSettlement chain = EvmSettlement.connect(net.chainRpcUrl(), deployment, operator);
      d.parts.add(chain);
      StoredTraces traces =
          new StoredTraces(
              services.receipts(),
              services.inference(),
              services.models(),
              config.engineLimits(),
              services.inference().cheat());
      // LLM receipts: requests from the OpenAI API's archive, models loaded from the store. A
      // replay must not stop short where the provider's limits (wider than ours) did not.
      LlmReplay llm =
          new LlmReplay(
              services.models(),
              LlmOptions.DEFAULT.withLimits(LlmLimits.MODEL_ONLY),
              services.blobs().root().resolve("llm-scratch-disputes"));
      d.parts.add(llm);
      LlmTraces llmTraces =
          new LlmTraces(
              services.receipts(),
              LlmArchive.of(services),
              llm,
              LlmTraceLie.of(services.inference().cheat()));
      d.parts.add(
          new DisputeResponder(disputes, rpc, nodeKey.address(), traces, ev)
              .withLlm(llmTraces)
              .since(deployment.deployedAtBlock())
              .start(POLL));
      RefereeDuty.Models models = m -> StoredTraces.modelBytes(services.models(), m);
      RefereeDuty.Endpoints endpoints =
          account -> {
            List<URI> out = new ArrayList<>();
            for (NodeInfo n : chain.nodes()) {
              if (n.node().equals(account) || n.operator().equals(account)) {
                out.add(URI.create(n.endpoint()));
              }
            }
            return out;
          };
      d.parts.add(
          new RefereeDuty(
                  disputes,
                  rpc,
                  nodeKey,
                  deployment.receiptDomain(),
                  endpoints,
                  models,
                  config.engineLimits())
              .withLlm(llm)
              .since(deployment.deployedAtBlock())
              .start(POLL));
      if (net.auditEnabled()) {
        // The deployed contract's own bond minimum and draw cap, whatever network this is.
        DisputeParameters p = disputes.parameters();
        BigInteger bond = p.minBondWei();
        d.auditor =
            new AutoAuditor(
                    chain,
                    deployment,
                    disputes,
                    net.chainRpcUrl(),
                    nodeKey.address(),
                    models,
                    ev,
                    bond,
                    p.capBps())
                .withLlm(llm)
                .withState(config.dataDir().resolve("audit").resolve("auditor.json"))
                .colluding(
                    (node, nodeOperator) ->
                        services
                            .inference()
                            .cheat()
                            .map(c -> c.colludesWith(node, nodeOperator))
                            .orElse(false))
                .accusingHonestReceipts(
                    services
                        .inference()
                        .cheat()
                        .map(NodeCheat::accusesHonestReceipts)
                        .orElse(false))
                .start(POLL);
        d.parts.add(d.auditor);
        LOG.info("auditing other operators' sample:p receipts on this node's own initiative");
      }
      return Optional.of(d);
    } catch (Exception e) {
      d.close();
      throw e;
    }
  }

  @Override
  public void close() {
    for (AutoCloseable c : parts.reversed()) {
      try {
        c.close();
      } catch (Exception e) {
        LOG.warn("closing {} failed: {}", c, e.toString());
      }
    }
  }
}
