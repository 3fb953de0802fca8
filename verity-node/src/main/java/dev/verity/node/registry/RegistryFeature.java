package dev.verity.node.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.verity.core.Digest;
import dev.verity.node.NodeFeature;
import dev.verity.node.NodeServices;
import dev.verity.node.config.NodeConfig;
import dev.verity.node.http.ApiModule;
import dev.verity.node.http.Problem;
import dev.verity.node.http.ProblemException;
import dev.verity.node.http.Response;
import dev.verity.receipt.eth.EthAddress;
import dev.verity.settlement.Deployment;
import dev.verity.settlement.ModelInfo;
import dev.verity.settlement.NodeInfo;
import dev.verity.settlement.SettlementException;
import dev.verity.settlement.evm.EvmKey;
import dev.verity.settlement.evm.EvmSettlement;
import java.io.IOException;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The network as the chain records it, over the node's public API: {@code GET /v1/network/nodes}
 * (every node in NodeRegistry), {@code GET /v1/disputes} (DisputeManager disputes) and {@code GET
 * /v1/slashes} (NodeRegistry slashes, with their cause). Built in; without a chain every route
 * answers 503 naming the reason.
 *
 * <p>DisputeManager's address is not part of the deployment file; it is found from NodeRegistry's
 * {@code SlasherSet} events (every contract allowed to slash), so no extra setting is needed.
 */
public final class RegistryFeature implements NodeFeature {
  static final String SLASHER_SET = ChainLogs.topic("SlasherSet(address,bool)");
  static final String SLASHED = ChainLogs.topic("Slashed(address,address,uint256,address,uint256)");
  static final String NODE_BANNED = ChainLogs.topic("NodeBanned(address,address)");
  static final String DISPUTE_OPENED =
      ChainLogs.topic(
          "DisputeOpened(bytes32,address,address,bytes32,uint256,uint64,bytes32,bytes32)");
  static final String DISPUTE_RESOLVED =
      ChainLogs.topic("DisputeResolved(bytes32,uint8,uint8,uint256,uint256,uint256,address)");
  static final String FORK_PROVEN =
      ChainLogs.topic("ForkProven(address,address,uint256,uint256,uint64,uint256,uint256)");

  private static final String[] OUTCOMES = {
    "none", "provider-correct", "challenger-correct", "both-wrong"
  };
  private static final String[] RESOLUTIONS = {
    "none", "referees", "provider-timed-out", "challenger-timed-out"
  };

  private final NodeConfig config;
  private final Duration maxHeartbeatAge;
  private final Clock clock;
  private NodeServices services;
  private EvmSettlement chain;
  private ChainLogs logs;
  private Deployment deployment;
  private final Map<Digest, Optional<ModelInfo>> modelNames = new HashMap<>();

  private RegistryFeature(NodeConfig config, Duration maxHeartbeatAge, Clock clock) {
    this.config = config;
    this.maxHeartbeatAge = maxHeartbeatAge;
    this.clock = clock;
  }

  /**
   * Over the chain in {@code config.network()}; a node counts as active while its last heartbeat is
   * at most three heartbeat intervals old (one missed beat is tolerated, two are not).
   */
  public static RegistryFeature of(NodeConfig config) {
    return of(config, config.network().heartbeatInterval().multipliedBy(3));
  }

  /** Like {@link #of(NodeConfig)} with an explicit heartbeat max age. */
  public static RegistryFeature of(NodeConfig config, Duration maxHeartbeatAge) {
    if (maxHeartbeatAge.isNegative() || maxHeartbeatAge.isZero()) {
      throw new IllegalArgumentException("heartbeat max age must be positive");
    }
    return new RegistryFeature(config, maxHeartbeatAge, Clock.systemUTC());
  }

  @Override
  public List<ApiModule> start(NodeServices s) {
    this.services = s;
    ApiModule m =
        router -> {
          router.get("/v1/network/nodes", req -> Response.ok(tree(nodesJson())));
          router.get("/v1/disputes", req -> Response.ok(tree(disputesJson())));
          router.get("/v1/slashes", req -> Response.ok(tree(slashesJson())));
        };
    return List.of(m);
  }

  /**
   * As a JSON tree in insertion order: the node's mapper sorts map keys, and the explorer's generic
   * table shows the first columns, so the most telling fields are put first.
   */
  private static JsonNode tree(Map<String, Object> doc) {
    return INSERTION_ORDER.valueToTree(doc);
  }

  private static final ObjectMapper INSERTION_ORDER = new ObjectMapper();

  private interface Read<T> {
    T run() throws SettlementException;
  }

  /** Runs a read against the chain; 503 when the node has no chain or the chain fails. */
  private synchronized <T> T read(Read<T> r) {
    if (!config.network().enabled()) {
      throw new ProblemException(
          Problem.of(
              503,
              "no-chain",
              "Not on a chain",
              "this node has no chain-rpc-url, so it cannot read the registry"));
    }
    try {
      if (chain == null) {
        deployment = Deployment.read(config.network().deployment());
        chain =
            EvmSettlement.connect(
                config.network().chainRpcUrl(),
                deployment,
                EvmKey.load(config.network().operatorKey()));
        logs = new ChainLogs(config.network().chainRpcUrl());
      }
      return r.run();
    } catch (IOException | SettlementException e) {
      throw new ProblemException(
          Problem.of(503, "chain-unavailable", "Chain unavailable", e.getMessage()));
    }
  }

  Map<String, Object> nodesJson() {
    return read(
        () -> {
          EthAddress self = services.receipts().address();
          Instant now = clock.instant();
          List<Map<String, Object>> out = new ArrayList<>();
          for (NodeInfo n : chain.nodes()) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("node", n.node().toChecksumString());
            o.put("operator", n.operator().toChecksumString());
            o.put("endpoint", n.endpoint());
            o.put("stakeWei", n.stakeWei().toString());
            o.put("unbondingWei", n.unbondingWei().toString());
            o.put(
                "unbondingReadyAt",
                n.unbondingReadyAt().equals(Instant.EPOCH)
                    ? null
                    : n.unbondingReadyAt().toString());
            o.put("registeredAt", n.registeredAt().toString());
            o.put("lastHeartbeat", n.lastHeartbeat().toString());
            boolean fresh = !n.lastHeartbeat().plus(maxHeartbeatAge).isBefore(now);
            // The contract's own rule (isActive) also needs stake and no ban.
            o.put("active", fresh && !n.banned() && n.stakeWei().signum() > 0);
            o.put("banned", n.banned());
            List<Map<String, Object>> models = new ArrayList<>();
            for (Digest d : n.models()) {
              Map<String, Object> mo = new LinkedHashMap<>();
              mo.put("digest", d.toString());
              Optional<ModelInfo> info = modelNames.get(d);
              if (info == null) {
                info = chain.model(d);
                modelNames.put(d, info);
              }
              info.ifPresent(
                  i -> {
                    mo.put("name", i.name());
                    mo.put("version", i.version());
                  });
              models.add(mo);
            }
            o.put("models", models);
            boolean isSelf = n.node().equals(self);
            o.put("self", isSelf);
            // Only this node's own log is known here; other nodes report theirs at /v1/node.
            o.put("receiptsServed", isSelf ? services.receipts().log().size() : null);
            out.add(o);
          }
          Map<String, Object> doc = new LinkedHashMap<>();
          doc.put("chainId", deployment.chainId());
          doc.put("nodeRegistry", deployment.nodeRegistry().toChecksumString());
          doc.put("heartbeatMaxAgeSeconds", maxHeartbeatAge.toSeconds());
          doc.put("time", now.toString());
          doc.put("nodes", out);
          return doc;
        });
  }

  /** Contracts NodeRegistry currently allows to slash (LogAnchor, DisputeManagers). */
  private List<EthAddress> slashers() throws SettlementException {
    Map<EthAddress, Boolean> allowed = new LinkedHashMap<>();
    for (ChainLogs.Event e :
        logs.logs(
            deployment.deployedAtBlock(),
            List.of(deployment.nodeRegistry()),
            List.of(SLASHER_SET))) {
      allowed.put(e.topicAddress(1), e.word(0).signum() != 0);
    }
    return allowed.entrySet().stream().filter(Map.Entry::getValue).map(Map.Entry::getKey).toList();
  }

  private List<EthAddress> disputeManagers() throws SettlementException {
    List<EthAddress> out = new ArrayList<>(slashers());
    out.remove(deployment.logAnchor());
    return out;
  }

  Map<String, Object> disputesJson() {
    return read(
        () -> {
          List<EthAddress> managers = disputeManagers();
          Map<String, EthAddress> operators = new HashMap<>();
          for (NodeInfo n : chain.nodes()) {
            operators.put(n.node().toString(), n.operator());
          }
          Map<String, Map<String, Object>> byId = new LinkedHashMap<>();
          for (ChainLogs.Event e :
              logs.logs(
                  deployment.deployedAtBlock(),
                  managers,
                  List.of(DISPUTE_OPENED, DISPUTE_RESOLVED))) {
            String id = e.topicHex(1);
            if (e.topicHex(0).equals(DISPUTE_OPENED)) {
              Map<String, Object> o = new LinkedHashMap<>();
              EthAddress node = e.topicAddress(2);
              // Most telling fields first: the explorer's table shows the first few columns.
              o.put("id", id);
              o.put("status", "open");
              o.put("outcome", null);
              o.put("provider", node.toChecksumString());
              o.put("challenger", e.topicAddress(3).toChecksumString());
              o.put("bondWei", e.word(1).toString());
              o.put("slashedWei", "0");
              o.put("openedAt", logs.blockTime(e.block()).toString());
              o.put("resolution", null);
              EthAddress op = operators.get(node.toString());
              o.put("providerOperator", op == null ? null : op.toChecksumString());
              o.put("disputeManager", EthAddress.parse(e.address()).toChecksumString());
              o.put("receiptDigest", String.format("0x%064x", e.word(0)));
              o.put("leafCount", e.word(2).longValueExact());
              o.put("openedBlock", e.block());
              o.put("openedTx", e.txHash());
              byId.put(id, o);
            } else {
              Map<String, Object> o = byId.get(id);
              if (o == null) {
                continue;
              }
              o.put("status", "resolved");
              o.put("outcome", name(OUTCOMES, e.word(0)));
              o.put("resolution", name(RESOLUTIONS, e.word(1)));
              o.put("slashedWei", e.word(2).toString());
              o.put("rewardWei", e.word(3).toString());
              o.put("bondPaidWei", e.word(4).toString());
              o.put("bondTo", e.word(4).signum() == 0 ? null : e.wordAddress(5).toChecksumString());
              o.put("resolvedBlock", e.block());
              o.put("resolvedAt", logs.blockTime(e.block()).toString());
              o.put("resolvedTx", e.txHash());
            }
          }
          List<Map<String, Object>> list = new ArrayList<>(byId.values());
          java.util.Collections.reverse(list); // newest first
          Map<String, Object> doc = new LinkedHashMap<>();
          doc.put("disputeManagers", managers.stream().map(EthAddress::toChecksumString).toList());
          doc.put("disputes", list);
          return doc;
        });
  }

  Map<String, Object> slashesJson() {
    return read(
        () -> {
          Set<EthAddress> managers = new HashSet<>(disputeManagers());
          Map<String, String> disputeByTx = new HashMap<>();
          if (!managers.isEmpty()) {
            for (ChainLogs.Event e :
                logs.logs(
                    deployment.deployedAtBlock(),
                    List.copyOf(managers),
                    List.of(DISPUTE_RESOLVED))) {
              disputeByTx.put(e.txHash(), e.topicHex(1));
            }
          }
          Set<String> bannedIn = new HashSet<>();
          List<ChainLogs.Event> slashed = new ArrayList<>();
          for (ChainLogs.Event e :
              logs.logs(
                  deployment.deployedAtBlock(),
                  List.of(deployment.nodeRegistry()),
                  List.of(SLASHED, NODE_BANNED))) {
            if (e.topicHex(0).equals(NODE_BANNED)) {
              bannedIn.add(e.txHash() + e.topicAddress(1));
            } else {
              slashed.add(e);
            }
          }
          List<Map<String, Object>> out = new ArrayList<>();
          for (ChainLogs.Event e : slashed) {
            EthAddress node = e.topicAddress(1);
            EthAddress slasher = e.topicAddress(2);
            String cause =
                slasher.equals(deployment.logAnchor())
                    ? "fork"
                    : managers.contains(slasher) ? "dispute" : "other";
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("node", node.toChecksumString());
            o.put("cause", cause);
            o.put("slashedWei", e.word(0).toString());
            o.put("banned", bannedIn.contains(e.txHash() + node));
            o.put("time", logs.blockTime(e.block()).toString());
            o.put("disputeId", disputeByTx.get(e.txHash()));
            o.put("rewardWei", e.word(2).toString());
            o.put("beneficiary", e.wordAddress(1).toChecksumString());
            o.put("slasher", slasher.toChecksumString());
            o.put("block", e.block());
            o.put("tx", e.txHash());
            out.add(o);
          }
          java.util.Collections.reverse(out);
          BigInteger total =
              slashed.stream().map(e -> e.word(0)).reduce(BigInteger.ZERO, BigInteger::add);
          Map<String, Object> doc = new LinkedHashMap<>();
          doc.put("totalSlashedWei", total.toString());
          doc.put("slashes", out);
          return doc;
        });
  }

  private static String name(String[] names, BigInteger v) {
    int i = v.intValue();
    return i >= 0 && i < names.length ? names[i] : v.toString();
  }

  @Override
  public synchronized void close() {
    if (chain != null) {
      chain.close();
    }
    if (logs != null) {
      logs.close();
    }
  }
}
