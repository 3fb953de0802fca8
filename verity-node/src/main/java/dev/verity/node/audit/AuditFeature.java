package dev.verity.node.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.verity.node.NodeFeature;
import dev.verity.node.NodeServices;
import dev.verity.node.config.NodeConfig;
import dev.verity.node.http.ApiModule;
import dev.verity.node.http.Json;
import dev.verity.node.http.Problem;
import dev.verity.node.http.ProblemException;
import dev.verity.node.http.Request;
import dev.verity.node.http.Response;
import dev.verity.receipt.eth.EthAddress;
import dev.verity.settlement.Deployment;
import dev.verity.settlement.NodeInfo;
import dev.verity.settlement.SettlementException;
import dev.verity.settlement.evm.EvmDisputes;
import dev.verity.settlement.evm.EvmKey;
import dev.verity.settlement.evm.EvmSettlement;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The node's view of the network's concentration: {@code GET /v1/network/decentralization} (JSON)
 * and {@code GET /metrics} (Prometheus text). Built in; without a chain the first answers 503 and
 * the second carries only the node's up gauge.
 */
public final class AuditFeature implements NodeFeature {
  /**
   * Per-operator cap on draw weight in basis points when no DisputeManager is configured (its
   * devnet setting); with one, the contract's own {@code capBps} is used.
   */
  public static final int DEFAULT_CAP_BPS =
      dev.verity.settlement.dispute.DisputeParameters.DEVNET.capBps();

  /** Reads the registry; throws if the chain cannot be read. */
  public interface Registry {
    List<NodeInfo> nodes() throws SettlementException;
  }

  private final Supplier<Optional<Registry>> registry;
  private volatile int capBps;
  private EvmSettlement chain;
  private NodeConfig config;
  private NodeDisputes disputes;

  private AuditFeature(Supplier<Optional<Registry>> registry, int capBps) {
    this.registry = registry;
    this.capBps = capBps;
  }

  /** Reads the registry of the chain in {@code config.network()}, if it is enabled. */
  public static AuditFeature of(NodeConfig config) {
    AuditFeature[] self = new AuditFeature[1];
    self[0] =
        new AuditFeature(
            () -> {
              if (!config.network().enabled()) {
                return Optional.empty();
              }
              return Optional.of(self[0].connect(config));
            },
            DEFAULT_CAP_BPS);
    self[0].config = config;
    return self[0];
  }

  /** Over a given registry (tests, tools). */
  public static AuditFeature over(Registry registry, int capBps) {
    return new AuditFeature(() -> Optional.of(registry), capBps);
  }

  private synchronized Registry connect(NodeConfig config) {
    if (chain == null) {
      try {
        chain =
            EvmSettlement.connect(
                config.network().chainRpcUrl(),
                Deployment.read(config.network().deployment()),
                EvmKey.load(config.network().operatorKey()));
        if (!config.network().disputeManager().isEmpty()) {
          try (EvmDisputes dm =
              EvmDisputes.connect(
                  config.network().chainRpcUrl(),
                  Deployment.read(config.network().deployment()),
                  EthAddress.parse(config.network().disputeManager()),
                  EvmKey.load(config.network().operatorKey()))) {
            capBps = dm.parameters().capBps();
          }
        }
      } catch (IOException | SettlementException e) {
        throw new ProblemException(
            Problem.of(503, "chain-unavailable", "Chain unavailable", e.getMessage()));
      }
    }
    return chain::nodes;
  }

  /** The current figures; 503 when the node is not on a chain or the chain cannot be read. */
  public Decentralization current() {
    Registry r =
        registry
            .get()
            .orElseThrow(
                () ->
                    new ProblemException(
                        Problem.of(
                            503,
                            "no-chain",
                            "Not on a chain",
                            "this node has no chain-rpc-url, so it cannot read the registry")));
    try {
      return Decentralization.of(r.nodes(), capBps);
    } catch (SettlementException e) {
      throw new ProblemException(
          Problem.of(503, "chain-unavailable", "Chain unavailable", e.getMessage()));
    }
  }

  @Override
  public List<ApiModule> start(NodeServices services) {
    ApiModule m =
        router -> {
          router.get("/v1/network/decentralization", req -> Response.ok(current().toJson()));
          router.get(
              "/metrics",
              req -> {
                StringBuilder b = new StringBuilder();
                b.append(
                    "# HELP verity_up The node is serving.\n# TYPE verity_up gauge\nverity_up 1\n");
                if (registry.get().isPresent()) {
                  try {
                    b.append(current().prometheus());
                  } catch (ProblemException e) {
                    b.append("# chain unavailable\n");
                  }
                }
                byte[] text = b.toString().getBytes(StandardCharsets.UTF_8);
                return Response.stream(
                    200,
                    "text/plain; version=0.0.4; charset=utf-8",
                    text.length,
                    new ByteArrayInputStream(text));
              });
        };
    DisputeEvidence evidence = new DisputeEvidence();
    if (config != null) {
      try {
        synchronized (this) {
          disputes = NodeDisputes.start(config, services, evidence).orElse(null);
        }
      } catch (Exception e) {
        throw new IllegalStateException("cannot start the node's dispute duties: " + e, e);
      }
    }
    ApiModule challenge =
        router ->
            router.post(
                "/v1/challenge",
                req -> {
                  // It can spend the operator's bond: an operator action, like /v1/audit.
                  req.requireLoopbackCaller("challenging another node's receipt");
                  return Response.ok(challenge(req.json()));
                });
    ApiModule findings = router -> router.get("/v1/audit/findings", this::findings);
    return List.of(m, new AuditApi(services), evidence, challenge, findings);
  }

  /** The most findings one answer lists. */
  static final int MAX_FINDINGS = 1000;

  /**
   * {@code GET /v1/audit/findings[?node=0x…][&finding=NAME][&limit=N]}: what this node's auditor
   * found, oldest first (the newest {@code limit}, default and at most {@value #MAX_FINDINGS}).
   * Matches leave nothing on-chain, so this is where an operator, or anyone, sees the audits a node
   * ran.
   */
  private Response findings(Request req) {
    AutoAuditor auditor = runningAuditor();
    Optional<EthAddress> node;
    try {
      node = req.query("node").map(EthAddress::parse);
    } catch (IllegalArgumentException e) {
      throw ProblemException.badRequest("'node' must be a 0x address: " + e.getMessage());
    }
    Optional<AutoAuditor.Finding> finding;
    try {
      finding =
          req.query("finding")
              .map(f -> AutoAuditor.Finding.valueOf(f.trim().toUpperCase(Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      throw ProblemException.badRequest(
          "'finding' must be one of " + Arrays.toString(AutoAuditor.Finding.values()));
    }
    int limit = MAX_FINDINGS;
    if (req.query("limit").isPresent()) {
      try {
        limit = Integer.parseInt(req.query("limit").get());
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > MAX_FINDINGS) {
        throw ProblemException.badRequest(
            "'limit' must be a whole number from 1 to " + MAX_FINDINGS);
      }
    }
    List<AutoAuditor.Audit> all =
        auditor.findings().stream()
            .filter(a -> node.isEmpty() || a.node().equals(node.get()))
            .filter(a -> finding.isEmpty() || a.finding() == finding.get())
            .toList();
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("audits", auditor.audits());
    o.put("openDisputes", auditor.openDisputes());
    o.put("matching", all.size());
    var list = o.putArray("findings");
    for (AutoAuditor.Audit a : all.subList(Math.max(0, all.size() - limit), all.size())) {
      list.add(auditJson(a));
    }
    return Response.ok(o);
  }

  /** The auditor, or 409 when this node does not audit. */
  private AutoAuditor runningAuditor() {
    AutoAuditor auditor;
    synchronized (this) {
      auditor = disputes == null ? null : disputes.auditor().orElse(null);
    }
    if (auditor == null) {
      throw new ProblemException(
          Problem.of(
              409,
              "auditor-not-running",
              "Auditor not running",
              "this node audits only with dispute-manager set and audit-enabled=true"));
    }
    return auditor;
  }

  private static ObjectNode auditJson(AutoAuditor.Audit a) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("receiptId", a.receiptId().toString());
    o.put("requestId", a.requestId());
    o.put("node", a.node().toChecksumString());
    o.put("engine", a.engine());
    o.put("finding", a.finding().name());
    o.put("detail", a.detail());
    return o;
  }

  /** {@code POST /v1/challenge {"peer": URL, "requestId": ID}}: audit that receipt now. */
  private ObjectNode challenge(JsonNode body) throws Exception {
    AutoAuditor auditor = runningAuditor();
    String peer = body == null ? "" : body.path("peer").asText("");
    String requestId = body == null ? "" : body.path("requestId").asText("");
    if (requestId.isEmpty()) {
      throw ProblemException.badRequest("'requestId' is required and must be a string");
    }
    java.net.URI base;
    try {
      base = java.net.URI.create(peer);
    } catch (IllegalArgumentException e) {
      throw ProblemException.badRequest("'peer' is not a URL: " + e.getMessage());
    }
    if (!("http".equals(base.getScheme()) || "https".equals(base.getScheme()))
        || base.getHost() == null) {
      throw ProblemException.badRequest("'peer' must be an http(s) URL with a host, got " + peer);
    }
    AutoAuditor.Audit a;
    try {
      a = auditor.challenge(base, requestId);
    } catch (IllegalArgumentException | dev.verity.receipt.ReceiptSignatureException e) {
      throw new ProblemException(
          Problem.of(422, "cannot-challenge", "Cannot challenge", e.getMessage()));
    }
    return auditJson(a);
  }

  @Override
  public synchronized void close() {
    if (disputes != null) {
      disputes.close();
    }
    if (chain != null) {
      chain.close();
    }
  }
}
