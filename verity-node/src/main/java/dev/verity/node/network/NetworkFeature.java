package dev.verity.node.network;

import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.log.note.Checkpoint;
import dev.verity.node.NodeFeature;
import dev.verity.node.NodeServices;
import dev.verity.node.config.NetworkConfig;
import dev.verity.node.config.NodeConfig;
import dev.verity.node.http.ApiModule;
import dev.verity.node.log.WitnessOutcome;
import dev.verity.receipt.ReceiptKey;
import dev.verity.receipt.eth.EthAddress;
import dev.verity.settlement.AnchoredCheckpoint;
import dev.verity.settlement.Deployment;
import dev.verity.settlement.ModelInfo;
import dev.verity.settlement.NodeInfo;
import dev.verity.settlement.Settlement;
import dev.verity.settlement.SettlementException;
import dev.verity.settlement.evm.EvmKey;
import dev.verity.settlement.evm.EvmSettlement;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node as a member of the network. On start it connects to the chain, registers the node
 * (operator account, receipt key address, endpoint, models it holds) with stake if it is not
 * registered yet, or brings endpoint and models up to date. Then, every heartbeat interval, it
 * sends a heartbeat, fetches the models it is configured to serve but lacks from peers (see {@link
 * ModelFetcher}) and lists them on-chain once held, and witnesses the other registered nodes' logs;
 * every anchor interval, and once more on shutdown, it anchors its log checkpoint in LogAnchor.
 */
public final class NetworkFeature implements NodeFeature {
  private static final Logger LOG = LoggerFactory.getLogger(NetworkFeature.class);

  private final NodeConfig config;
  private final NetworkConfig net;
  private Settlement chain;
  private ScheduledExecutorService timer;
  private NodeServices services;
  private EthAddress self;
  private URI endpoint;
  private ModelFetcher fetcher;
  private long lastWitness;
  private final Object anchorLock = new Object();
  private long anchoredSize = -1;

  private NetworkFeature(NodeConfig config) {
    this.config = config;
    this.net = config.network();
  }

  /** The feature for {@code config}; {@code config.network()} must be enabled. */
  public static NetworkFeature of(NodeConfig config) {
    if (!config.network().enabled()) {
      throw new IllegalArgumentException("the node's network settings are off (no chain-rpc-url)");
    }
    return new NetworkFeature(config);
  }

  /** The endpoint the node registers: advertise-url, else http://host:port. */
  static URI endpoint(NodeConfig c) {
    Optional<URI> adv = c.network().advertise();
    if (adv.isPresent()) {
      return adv.get();
    }
    if (c.port() == 0) {
      throw new IllegalArgumentException(
          "a node on the network needs a fixed port or advertise-url: port 0 cannot be registered");
    }
    String host = c.host();
    if ("0.0.0.0".equals(host) || "::".equals(host)) {
      host = "127.0.0.1";
    }
    if (host.contains(":") && !host.startsWith("[")) {
      host = "[" + host + "]";
    }
    return URI.create("http://" + host + ":" + c.port());
  }

  @Override
  public List<ApiModule> start(NodeServices s) throws IOException {
    this.services = s;
    this.endpoint = endpoint(config);
    Deployment deployment = Deployment.read(net.deployment());
    EvmKey operator = EvmKey.load(net.operatorKey());
    ReceiptKey nodeKey = ReceiptKey.load(config.dataDir().resolve("keys").resolve("receipt.key"));
    this.self = nodeKey.address();
    if (!s.receipts().domain().equals(deployment.receiptDomain())) {
      LOG.warn(
          "receipts are signed under {} but the deployment's receipt domain is {}",
          s.receipts().domain(),
          deployment.receiptDomain());
    }
    this.fetcher = new ModelFetcher(s.models(), Duration.ofSeconds(10));
    try {
      chain = EvmSettlement.connect(net.chainRpcUrl(), deployment, operator);
      join(nodeKey, deployment, operator.address());
    } catch (SettlementException e) {
      if (chain != null) {
        chain.close();
      }
      throw new IOException("joining the network failed: " + e.getMessage(), e);
    }
    timer =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("verity-network").factory());
    long hb = net.heartbeatInterval().toMillis();
    long an = net.anchorInterval().toMillis();
    // The first round soon after start: fetch missing models without waiting a whole interval.
    timer.scheduleWithFixedDelay(this::tickQuietly, Math.min(hb, 500), hb, TimeUnit.MILLISECONDS);
    timer.scheduleWithFixedDelay(this::anchorQuietly, an, an, TimeUnit.MILLISECONDS);
    return List.of();
  }

  private void join(ReceiptKey nodeKey, Deployment deployment, EthAddress operator)
      throws SettlementException {
    List<Digest> held = heldModels();
    Optional<NodeInfo> existing = chain.node(self);
    if (existing.isEmpty()) {
      BigInteger stake =
          net.stakeWei().signum() > 0 ? net.stakeWei() : deployment.parameters().minStakeWei();
      retry("register", () -> chain.registerNode(nodeKey, endpoint.toString(), held, stake));
      LOG.info(
          "registered node {} (operator {}) at {} with stake {} wei, serving {}",
          self,
          operator,
          endpoint,
          stake,
          held);
      return;
    }
    NodeInfo n = existing.get();
    if (!n.operator().equals(operator)) {
      throw new SettlementException(
          "node "
              + self
              + " is registered to operator "
              + n.operator()
              + ", but this node's operator key is "
              + operator);
    }
    if (n.banned()) {
      throw new SettlementException("node " + self + " is banned on-chain");
    }
    if (!n.endpoint().equals(endpoint.toString())) {
      retry("updateEndpoint", () -> chain.updateEndpoint(self, endpoint.toString()));
      LOG.info("updated endpoint of node {} to {}", self, endpoint);
    }
    if (!Set.copyOf(n.models()).equals(Set.copyOf(held))) {
      retry("updateModels", () -> chain.updateModels(self, held));
    }
    retry("heartbeat", () -> chain.heartbeat(self));
    LOG.info("node {} rejoined the network at {}, serving {}", self, endpoint, held);
  }

  /** Configured models that are stored locally and registered on-chain, in configured order. */
  private List<Digest> heldModels() throws SettlementException {
    List<Digest> out = new ArrayList<>();
    for (Digest d : net.serveModels()) {
      if (services.models().get(d).isPresent()
          && services.models().missingBlobs(services.models().get(d).get().manifest()).isEmpty()
          && chain.model(d).isPresent()) {
        out.add(d);
      }
    }
    return out;
  }

  private void tickQuietly() {
    try {
      retry("heartbeat", () -> chain.heartbeat(self));
      syncModels();
      witnessPeers();
    } catch (SettlementException | RuntimeException e) {
      LOG.warn("network round failed: {}", e.getMessage());
    }
  }

  private interface ChainCall {
    void run() throws SettlementException;
  }

  /**
   * Another process of the same operator (nodes may share one) can take the account's nonce between
   * this process's estimate and send; a few retries after a random pause cover that race. Reverts
   * are final and not retried.
   */
  private static void retry(String what, ChainCall call) throws SettlementException {
    for (int attempt = 1; ; attempt++) {
      try {
        call.run();
        return;
      } catch (SettlementException e) {
        if (e.errorName().isPresent() || attempt >= 5) {
          throw e;
        }
        LOG.debug("{} failed ({}), retrying", what, e.getMessage());
        try {
          Thread.sleep(50 + java.util.concurrent.ThreadLocalRandom.current().nextInt(50, 300));
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  private void syncModels() throws SettlementException {
    for (Digest d : net.serveModels()) {
      if (services.models().get(d).isPresent()) {
        continue;
      }
      Optional<ModelInfo> info = chain.model(d);
      if (info.isEmpty()) {
        LOG.debug("model {} is not registered in ModelRegistry yet", d);
        continue;
      }
      for (URI peer : sources(d)) {
        try {
          fetcher.fetch(peer, info.get());
          break;
        } catch (ModelFetcher.PeerLacksModelException e) {
          LOG.debug("{}", e.getMessage());
        } catch (IOException | RuntimeException e) {
          LOG.warn("fetching {} from {} failed: {}", d, peer, e.getMessage());
        }
      }
    }
    List<Digest> held = heldModels();
    Optional<NodeInfo> me = chain.node(self);
    if (me.isPresent() && !Set.copyOf(me.get().models()).equals(Set.copyOf(held))) {
      retry("updateModels", () -> chain.updateModels(self, held));
      LOG.info("node {} now lists models {}", self, held);
    }
  }

  /** Nodes the registry lists for {@code model}, then configured peers; never this node. */
  private List<URI> sources(Digest model) throws SettlementException {
    Set<URI> out = new LinkedHashSet<>();
    for (NodeInfo n : chain.nodesServing(model, Optional.empty())) {
      if (!n.node().equals(self) && !n.banned()) {
        out.add(URI.create(n.endpoint()));
      }
    }
    out.addAll(net.peers());
    out.remove(endpoint);
    return List.copyOf(out);
  }

  private void witnessPeers() throws SettlementException {
    Duration every = config.witnessInterval();
    if (every.isZero() || System.nanoTime() - lastWitness < every.toNanos()) {
      return;
    }
    lastWitness = System.nanoTime();
    for (NodeInfo n : chain.nodes()) {
      if (n.node().equals(self) || n.banned() || n.endpoint().equals(endpoint.toString())) {
        continue;
      }
      WitnessOutcome o = services.witness().witness(URI.create(n.endpoint()));
      switch (o) {
        case WitnessOutcome.Cosigned c ->
            LOG.debug("witnessed {} at size {}", c.origin(), c.size());
        case WitnessOutcome.Forked f ->
            LOG.warn("node {} forked its log; evidence in {}", n.node(), f.evidenceFile());
        case WitnessOutcome.Failed f -> LOG.debug("witnessing {} failed: {}", f.peer(), f.reason());
      }
    }
  }

  private void anchorQuietly() {
    try {
      anchor();
    } catch (SettlementException | RuntimeException e) {
      LOG.warn("anchoring the log checkpoint failed: {}", e.getMessage());
    }
  }

  /** Anchors the current checkpoint unless it is empty or already the latest anchored. */
  void anchor() throws SettlementException {
    synchronized (anchorLock) {
      Checkpoint c = services.receipts().log().checkpoint().checkpoint();
      if (c.size() == 0) {
        return;
      }
      if (anchoredSize < 0) {
        List<AnchoredCheckpoint> anchored = chain.checkpoints(self);
        anchoredSize = anchored.isEmpty() ? 0 : anchored.getLast().treeSize();
      }
      if (anchoredSize >= c.size()) {
        return;
      }
      Bytes root = c.rootHash();
      retry("anchor", () -> chain.anchorCheckpoint(self, c.size(), root));
      anchoredSize = c.size();
      LOG.info("anchored checkpoint of size {} for node {}", c.size(), self);
    }
  }

  /** The node's receipt address. */
  public EthAddress address() {
    return self;
  }

  @Override
  public void close() {
    if (timer != null) {
      timer.shutdownNow();
      try {
        timer.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (chain != null) {
      // What was acknowledged before shutdown is anchored before the node goes away.
      anchorQuietly();
      chain.close();
    }
  }
}
