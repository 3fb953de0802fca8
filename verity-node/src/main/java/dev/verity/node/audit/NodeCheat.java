package dev.verity.node.audit;

import dev.verity.audit.bisect.TraceParty;
import dev.verity.engine.InferenceResult;
import dev.verity.engine.Tensor;
import dev.verity.engine.TraceOpening;
import dev.verity.node.config.NetworkConfig;
import dev.verity.node.config.NodeConfigException;
import dev.verity.node.http.Json;
import dev.verity.receipt.eth.EthAddress;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's fault injection for adversarial tests, from the {@code audit-cheat} and {@code
 * audit-collude-with} settings. Off unless the configuration names a strategy or a provider to
 * collude with; then the node warns loudly, and it refuses to start unless its chain is a local
 * devnet (chain id {@value #DEVNET_CHAIN_ID}), so a production node can never be configured to
 * cheat.
 *
 * <p>As provider it serves by the strategy ({@link FaultInjector}): model-substituting strategies
 * swap the strict engine's model bytes, the others tamper with every strict run before its receipt
 * is drafted. In a dispute it plays the trace it committed to (rebuilt the same way), except {@code
 * silent-in-dispute}, which never moves. As auditor it reports a match, without re-executing, for
 * receipts of the nodes or operators it colludes with; under {@code lying-auditor} it serves
 * honestly and disputes every receipt it finds reproduced.
 */
public final class NodeCheat {
  private static final Logger LOG = LoggerFactory.getLogger(NodeCheat.class);

  /** Anvil's chain id: the only chain a node agrees to cheat on. */
  public static final long DEVNET_CHAIN_ID = 31337;

  private final FaultInjector injector;
  private final Set<EthAddress> colludeWith;

  private NodeCheat(FaultInjector injector, Set<EthAddress> colludeWith) {
    this.injector = injector;
    this.colludeWith = Set.copyOf(colludeWith);
  }

  /**
   * The configured cheat, if any. A bad strategy name throws naming the valid ones; a cheat on any
   * chain but a local devnet (or with no chain) throws.
   */
  public static Optional<NodeCheat> configured(NetworkConfig net) {
    CheatStrategy s = net.auditCheat().isEmpty() ? CheatStrategy.HONEST : parse(net.auditCheat());
    List<String> collude = net.auditColludeWith();
    if (s == CheatStrategy.HONEST && collude.isEmpty()) {
      return Optional.empty();
    }
    String what =
        (s == CheatStrategy.HONEST ? "" : "audit-cheat=" + s.id())
            + (collude.isEmpty() ? "" : " audit-collude-with=" + String.join(",", collude));
    if (!net.enabled()) {
      throw new NodeConfigException(
          "refusing " + what.strip() + ": fault injection needs a local devnet chain (31337)");
    }
    long chainId = chainId(net.chainRpcUrl());
    if (chainId != DEVNET_CHAIN_ID) {
      throw new NodeConfigException(
          "refusing "
              + what.strip()
              + ": fault injection is for tests on a local devnet (chain id "
              + DEVNET_CHAIN_ID
              + "), but "
              + net.chainRpcUrl()
              + " is chain "
              + chainId);
    }
    if (!collude.isEmpty()) {
      LOG.warn(
          "!!! FAULT INJECTION ON: as auditor this node reports a match for receipts of {}"
              + " without checking. Test use only. !!!",
          collude);
    }
    return Optional.of(
        new NodeCheat(
            FaultInjector.forNode(s),
            collude.stream().map(EthAddress::parse).collect(Collectors.toSet())));
  }

  /**
   * Fault injection built directly, without the configuration's devnet check: for in-process tests
   * that wire node components themselves ({@code VerityNode.start(config, features, cheat)}).
   */
  public static NodeCheat inProcess(CheatStrategy strategy, Set<EthAddress> colludeWith) {
    return new NodeCheat(FaultInjector.forNode(strategy), colludeWith);
  }

  private static CheatStrategy parse(String name) {
    try {
      return CheatStrategy.parse(name);
    } catch (IllegalArgumentException e) {
      throw new NodeConfigException("audit-cheat: " + e.getMessage());
    }
  }

  private static long chainId(String rpc) {
    try {
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(rpc))
                      .timeout(Duration.ofSeconds(10))
                      .header("Content-Type", "application/json")
                      .POST(
                          HttpRequest.BodyPublishers.ofString(
                              "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\",\"params\":[]}"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      String hex = Json.MAPPER.readTree(r.body()).path("result").asText();
      if (!hex.startsWith("0x")) {
        throw new IOException("no chain id in " + r.body());
      }
      return Long.parseLong(hex.substring(2), 16);
    } catch (IOException | RuntimeException e) {
      throw new NodeConfigException(
          "refusing fault injection: cannot read the chain id from " + rpc + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new NodeConfigException("interrupted while reading the chain id");
    }
  }

  public CheatStrategy strategy() {
    return injector.strategy();
  }

  /** The strict engine's model as this node runs it: substituted for model-level strategies. */
  public byte[] model(byte[] honest) {
    return FaultInjector.substitute(honest, injector.strategy());
  }

  /**
   * The run as the cheat reports it. Runs without a trace (ORT, numeric mode tolerance; strict runs
   * whose trace is deferred) are tampered with by the output strategies only: {@code output-noise}
   * nudges one element by one ulp, {@code wrong-output}, {@code silent-in-dispute} and {@code
   * colluding-auditor} replace the answer; the others leave them alone.
   */
  public InferenceResult apply(InferenceResult run) {
    if (!injector.strategy().cheatsAsProvider()) {
      return run;
    }
    if (run.trace().isEmpty()) {
      return switch (injector.strategy()) {
        case OUTPUT_NOISE ->
            new InferenceResult(tamperFirst(run.outputs(), true), Optional.empty());
        case WRONG_OUTPUT, SILENT_IN_DISPUTE, COLLUDING_AUDITOR ->
            new InferenceResult(tamperFirst(run.outputs(), false), Optional.empty());
        default -> run;
      };
    }
    return FaultInjector.asResult(injector.tamper(run.outputs(), run.trace().get()));
  }

  private static Map<String, Tensor> tamperFirst(Map<String, Tensor> outputs, boolean oneUlp) {
    Map<String, Tensor> out = new LinkedHashMap<>(outputs);
    String first = out.keySet().iterator().next();
    out.put(first, FaultInjector.perturb(out.get(first), oneUlp));
    return out;
  }

  /**
   * What the node plays in a dispute over a receipt whose run (on {@link #model}) is {@code run}:
   * the committed trace, or nothing for {@code silent-in-dispute}.
   */
  public Optional<FaultInjector.Served> committed(InferenceResult run) {
    FaultInjector.Served s = injector.tamper(run.outputs(), run.trace().orElseThrow());
    return s.committed() instanceof TraceParty<TraceOpening> ? Optional.of(s) : Optional.empty();
  }

  /**
   * Whether this node, as auditor, disputes receipts that reproduce (strategy {@code
   * lying-auditor}).
   */
  public boolean accusesHonestReceipts() {
    return injector.strategy() == CheatStrategy.LYING_AUDITOR;
  }

  /** Whether this node, as auditor, waves through receipts of {@code node} (or its operator). */
  public boolean colludesWith(EthAddress node, EthAddress operator) {
    return colludeWith.contains(node) || colludeWith.contains(operator);
  }
}
