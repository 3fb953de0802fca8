package dev.verity.node.config;

import dev.verity.core.Digest;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * How a node takes part in the network. It is off ({@link #NONE}) until {@code chain-rpc-url} is
 * set; then {@code deployment-file} and {@code operator-key-file} are required too.
 *
 * <ul>
 *   <li>{@code chain-rpc-url} / {@code VERITY_NODE_CHAIN_RPC_URL}: EVM JSON-RPC endpoint
 *   <li>{@code deployment-file}: the deployment JSON (contract addresses, chain id)
 *   <li>{@code operator-key-file}: the operator account key (64 hex digits, mode 0600); it pays the
 *       stake and sends heartbeats and anchors
 *   <li>{@code stake-wei}: stake sent when the node registers (default: the deployment's minimum)
 *   <li>{@code heartbeat-interval-seconds}: liveness transactions and model sync (default 30)
 *   <li>{@code anchor-interval-seconds}: log checkpoint anchoring in LogAnchor (default 60)
 *   <li>{@code serve-models}: comma-separated manifest digests this node serves; missing ones are
 *       fetched from peers and checked against ModelRegistry
 *   <li>{@code peers}: comma-separated base URLs to fetch models from, besides the nodes the
 *       registry lists
 *   <li>{@code advertise-url}: the endpoint registered on-chain (default {@code http://host:port})
 *   <li>{@code dispute-manager}: DisputeManager's address; when set the node answers disputes over
 *       its receipts and serves as a referee when drawn (docs/AUDIT.md)
 *   <li>{@code audit-enabled}: {@code true} to audit other operators' sample:p receipts on its own
 *       and dispute mismatches (default false; needs {@code dispute-manager})
 *   <li>{@code audit-cheat}: TEST ONLY. A fault-injection strategy ({@code wrong-output}, {@code
 *       lying-trace}, …; docs/AUDIT.md) the node serves, commits traces and answers disputes by.
 *       The node warns loudly and refuses to start unless the chain is a local devnet (chain id
 *       31337). Empty (the default) or {@code honest} means off.
 *   <li>{@code audit-collude-with}: TEST ONLY. Comma-separated node or operator addresses; when
 *       this node is drawn to audit one of their receipts it reports a match without re-executing.
 *       Same devnet-only rule as {@code audit-cheat}.
 * </ul>
 */
public record NetworkConfig(
    String chainRpcUrl,
    String deploymentFile,
    String operatorKeyFile,
    BigInteger stakeWei,
    Duration heartbeatInterval,
    Duration anchorInterval,
    List<Digest> serveModels,
    List<URI> peers,
    String advertiseUrl,
    String disputeManager,
    boolean auditEnabled,
    String auditCheat,
    List<String> auditColludeWith) {

  /** The settings this record holds, as named in config files (see {@link #with}). */
  static final Set<String> KEYS =
      Set.of(
          "chain-rpc-url",
          "deployment-file",
          "operator-key-file",
          "stake-wei",
          "heartbeat-interval-seconds",
          "anchor-interval-seconds",
          "serve-models",
          "peers",
          "advertise-url",
          "dispute-manager",
          "audit-enabled",
          "audit-cheat",
          "audit-collude-with");

  /** Not on a network: no chain, nothing served from peers. */
  public static final NetworkConfig NONE =
      new NetworkConfig(
          "",
          "",
          "",
          BigInteger.ZERO,
          Duration.ofSeconds(30),
          Duration.ofSeconds(60),
          List.of(),
          List.of(),
          "",
          "",
          false,
          "",
          List.of());

  /** Without dispute settings: disputes are neither answered nor opened. */
  public NetworkConfig(
      String chainRpcUrl,
      String deploymentFile,
      String operatorKeyFile,
      BigInteger stakeWei,
      Duration heartbeatInterval,
      Duration anchorInterval,
      List<Digest> serveModels,
      List<URI> peers,
      String advertiseUrl) {
    this(
        chainRpcUrl,
        deploymentFile,
        operatorKeyFile,
        stakeWei,
        heartbeatInterval,
        anchorInterval,
        serveModels,
        peers,
        advertiseUrl,
        "",
        false,
        "",
        List.of());
  }

  public NetworkConfig {
    Objects.requireNonNull(chainRpcUrl, "chainRpcUrl");
    Objects.requireNonNull(deploymentFile, "deploymentFile");
    Objects.requireNonNull(operatorKeyFile, "operatorKeyFile");
    Objects.requireNonNull(stakeWei, "stakeWei");
    Objects.requireNonNull(advertiseUrl, "advertiseUrl");
    Objects.requireNonNull(disputeManager, "disputeManager");
    if (!disputeManager.isEmpty() && !disputeManager.matches("0x[0-9a-fA-F]{40}")) {
      throw new NodeConfigException("dispute-manager must be a 0x address, got " + disputeManager);
    }
    Objects.requireNonNull(auditCheat, "auditCheat");
    if (!auditCheat.isEmpty() && !auditCheat.matches("[a-z][a-z_-]*")) {
      throw new NodeConfigException(
          "audit-cheat must be a strategy name, got '" + auditCheat + "'");
    }
    auditColludeWith = List.copyOf(auditColludeWith);
    for (String a : auditColludeWith) {
      if (!a.matches("0x[0-9a-fA-F]{40}")) {
        throw new NodeConfigException("audit-collude-with must list 0x addresses, got " + a);
      }
    }
    if (stakeWei.signum() < 0) {
      throw new NodeConfigException("stake must not be negative");
    }
    if (heartbeatInterval.isNegative() || heartbeatInterval.isZero()) {
      throw new NodeConfigException("heartbeat interval must be positive");
    }
    if (anchorInterval.isNegative() || anchorInterval.isZero()) {
      throw new NodeConfigException("anchor interval must be positive");
    }
    serveModels = List.copyOf(serveModels);
    peers = List.copyOf(peers);
    for (URI u : peers) {
      if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
        throw new NodeConfigException("peer must be an http(s) URL, got " + u);
      }
    }
    if (!chainRpcUrl.isEmpty()) {
      URI u = URI.create(chainRpcUrl);
      if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme()))) {
        throw new NodeConfigException("chain RPC URL must be http(s), got " + chainRpcUrl);
      }
    }
  }

  /** Whether the node joins a chain at all. */
  public boolean enabled() {
    return !chainRpcUrl.isEmpty();
  }

  /** The deployment file, required when {@link #enabled()}. */
  public Path deployment() {
    if (deploymentFile.isEmpty()) {
      throw new NodeConfigException("deployment-file must be set when chain-rpc-url is");
    }
    return Path.of(deploymentFile);
  }

  /** The operator key file, required when {@link #enabled()}. */
  public Path operatorKey() {
    if (operatorKeyFile.isEmpty()) {
      throw new NodeConfigException("operator-key-file must be set when chain-rpc-url is");
    }
    return Path.of(operatorKeyFile);
  }

  /** The configured endpoint to register, if any. */
  public Optional<URI> advertise() {
    return advertiseUrl.isEmpty() ? Optional.empty() : Optional.of(URI.create(advertiseUrl));
  }

  /** This configuration with one setting (file key) changed; the value is already trimmed. */
  NetworkConfig with(String key, String v) {
    String chain = chainRpcUrl;
    String dep = deploymentFile;
    String op = operatorKeyFile;
    BigInteger stake = stakeWei;
    Duration hb = heartbeatInterval;
    Duration an = anchorInterval;
    List<Digest> models = serveModels;
    List<URI> ps = peers;
    String adv = advertiseUrl;
    String disputes = disputeManager;
    boolean audit = auditEnabled;
    String cheat = auditCheat;
    List<String> collude = auditColludeWith;
    switch (key) {
      case "audit-cheat" -> cheat = v.toLowerCase(java.util.Locale.ROOT);
      case "audit-collude-with" -> {
        collude = new ArrayList<>();
        for (String part : v.split(",")) {
          if (!part.isBlank()) {
            collude.add(part.strip());
          }
        }
      }
      case "dispute-manager" -> disputes = v;
      case "audit-enabled" -> {
        if (!v.equals("true") && !v.equals("false")) {
          throw new NodeConfigException("audit-enabled must be true or false, got '" + v + "'");
        }
        audit = Boolean.parseBoolean(v);
      }
      case "chain-rpc-url" -> {
        try {
          URI.create(v);
        } catch (IllegalArgumentException e) {
          throw new NodeConfigException("'" + v + "' is not a URL");
        }
        chain = v;
      }
      case "deployment-file" -> dep = v;
      case "operator-key-file" -> op = v;
      case "stake-wei" -> {
        try {
          stake = new BigInteger(v);
        } catch (NumberFormatException e) {
          throw new NodeConfigException("'" + v + "' is not a whole number of wei");
        }
      }
      case "heartbeat-interval-seconds" -> hb = Duration.ofSeconds(seconds(v));
      case "anchor-interval-seconds" -> an = Duration.ofSeconds(seconds(v));
      case "serve-models" -> models = parseDigests(v);
      case "peers" -> ps = NodeConfig.parsePeers(v);
      case "advertise-url" -> {
        if (!v.isEmpty()) {
          URI u;
          try {
            u = URI.create(v.endsWith("/") ? v.substring(0, v.length() - 1) : v);
          } catch (IllegalArgumentException e) {
            throw new NodeConfigException("'" + v + "' is not a URL");
          }
          if (u.getHost() == null
              || !("http".equals(u.getScheme()) || "https".equals(u.getScheme()))) {
            throw new NodeConfigException("advertise URL must be http(s), got " + v);
          }
          adv = u.toString();
        } else {
          adv = "";
        }
      }
      default -> throw new NodeConfigException("unknown network setting " + key);
    }
    return new NetworkConfig(
        chain, dep, op, stake, hb, an, models, ps, adv, disputes, audit, cheat, collude);
  }

  private static long seconds(String v) {
    try {
      long n = Long.parseLong(v);
      if (n <= 0) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new NodeConfigException("'" + v + "' is not a positive number of seconds");
    }
  }

  static List<Digest> parseDigests(String v) {
    List<Digest> out = new ArrayList<>();
    for (String part : v.split(",")) {
      String t = part.strip();
      if (t.isEmpty()) {
        continue;
      }
      try {
        Digest d = Digest.parse(t);
        if (!out.contains(d)) {
          out.add(d);
        }
      } catch (IllegalArgumentException e) {
        throw new NodeConfigException("'" + t + "' is not a manifest digest (sha256:<64 hex>)");
      }
    }
    return out;
  }
}
