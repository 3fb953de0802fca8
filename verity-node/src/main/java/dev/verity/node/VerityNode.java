package dev.verity.node;

import dev.verity.node.audit.AuditFeature;
import dev.verity.node.config.NodeConfig;
import dev.verity.node.explorer.ExplorerFeature;
import dev.verity.node.http.ApiModule;
import dev.verity.node.http.HttpApiServer;
import dev.verity.node.http.Route;
import dev.verity.node.http.Router;
import dev.verity.node.network.NetworkFeature;
import dev.verity.node.openai.OpenAiFeature;
import dev.verity.node.registry.RegistryFeature;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Verity node: its model store and its HTTP API. Start one in-process with {@link
 * #start(NodeConfig)}; {@link #close()} stops accepting requests, lets those in flight finish, then
 * closes the store.
 */
public final class VerityNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(VerityNode.class);

  private final NodeConfig config;
  private final NodeServices services;
  private final List<NodeFeature> features;
  private final HttpApiServer server;
  private final List<Route> routes;
  private boolean closed;

  private VerityNode(
      NodeConfig config,
      NodeServices services,
      List<NodeFeature> features,
      HttpApiServer server,
      List<Route> routes) {
    this.config = config;
    this.services = services;
    this.features = List.copyOf(features);
    this.server = server;
    this.routes = routes;
  }

  /** Opens the store under {@code config.dataDir()} and serves the API. */
  public static VerityNode start(NodeConfig config) throws IOException {
    return start(config, List.of());
  }

  /**
   * Like {@link #start(NodeConfig)}, with features whose endpoints are registered after the
   * built-in ones.
   */
  public static VerityNode start(NodeConfig config, List<NodeFeature> features) throws IOException {
    return start(config, features, dev.verity.node.audit.NodeCheat.configured(config.network()));
  }

  /**
   * Like {@link #start(NodeConfig, List)}, with fault injection given directly instead of by the
   * {@code audit-cheat} setting: for in-process tests of nodes without a chain.
   */
  public static VerityNode start(
      NodeConfig config,
      List<NodeFeature> features,
      java.util.Optional<dev.verity.node.audit.NodeCheat> cheat)
      throws IOException {
    NodeServices services = NodeServices.open(config, cheat);
    List<NodeFeature> started = new ArrayList<>();
    List<NodeFeature> all = new ArrayList<>();
    // The OpenAI-compatible API is built in; a caller may pass its own (other limits) instead.
    if (features.stream().noneMatch(f -> f instanceof OpenAiFeature)) {
      all.add(OpenAiFeature.defaults(config.llmLimits()));
    }
    // The explorer (static pages over the public API) is built in too, replaceable the same way.
    if (features.stream().noneMatch(f -> f instanceof ExplorerFeature)) {
      all.add(ExplorerFeature.defaults());
    }
    // Decentralization figures and /metrics are built in too, replaceable the same way.
    if (features.stream().noneMatch(f -> f instanceof AuditFeature)) {
      all.add(AuditFeature.of(config));
    }
    // The registry, disputes and slashes as the chain records them: built in, replaceable.
    if (features.stream().noneMatch(f -> f instanceof RegistryFeature)) {
      all.add(RegistryFeature.of(config));
    }
    all.addAll(features);
    // On a chain (chain-rpc-url set), the node registers, heartbeats and anchors its log.
    if (config.network().enabled()
        && features.stream().noneMatch(f -> f instanceof NetworkFeature)) {
      all.add(NetworkFeature.of(config));
    }
    try {
      Router router = new Router();
      for (ApiModule m : services.modules()) {
        m.register(router);
      }
      for (NodeFeature f : all) {
        List<ApiModule> modules = f.start(services);
        started.add(f);
        for (ApiModule m : modules) {
          m.register(router);
        }
      }
      HttpApiServer server =
          HttpApiServer.start(router, config.host(), config.port(), config.maxJsonBytes());
      VerityNode node =
          new VerityNode(config, services, started, server, List.copyOf(router.routes()));
      log.info("Verity node listening on {} (data in {})", node.url(), config.dataDir());
      return node;
    } catch (IOException | RuntimeException e) {
      closeAll(started);
      services.close();
      throw e;
    }
  }

  /** The stores behind the API, for in-process use (demo, tests, later engines). */
  public NodeServices services() {
    return services;
  }

  public NodeConfig config() {
    return config;
  }

  /** The port actually bound (useful when the configured port was 0). */
  public int port() {
    return server.address().getPort();
  }

  /** {@code http://host:port} as clients should use it. */
  public URI url() {
    String host = config.host();
    try {
      if (InetAddress.getByName(host).isAnyLocalAddress()) {
        host = "127.0.0.1";
      }
    } catch (IOException e) {
      // Keep the configured name.
    }
    if (host.contains(":") && !host.startsWith("[")) {
      host = "[" + host + "]";
    }
    return URI.create("http://" + host + ":" + port());
  }

  /** Every route the node serves, for documentation checks. */
  public List<Route> routes() {
    return routes;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    server.stop(config.shutdownGrace());
    closeAll(features);
    services.close();
    log.info("Verity node stopped");
  }

  private static void closeAll(List<NodeFeature> features) {
    for (int i = features.size() - 1; i >= 0; i--) {
      try {
        features.get(i).close();
      } catch (RuntimeException e) {
        log.warn("closing a node feature failed", e);
      }
    }
  }
}
