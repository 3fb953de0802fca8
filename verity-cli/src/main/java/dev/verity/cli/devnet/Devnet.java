package dev.verity.cli.devnet;

import dev.verity.cli.CliException;
import dev.verity.client.InferRequest;
import dev.verity.client.NetworkClient;
import dev.verity.client.VerityClient;
import dev.verity.client.routing.RetryPolicy;
import dev.verity.core.Digest;
import dev.verity.core.key.KeyFiles;
import dev.verity.core.key.SigningKey;
import dev.verity.hub.manifest.ManifestFile;
import dev.verity.hub.manifest.SignedManifest;
import dev.verity.hub.publish.ModelPublisher;
import dev.verity.hub.publish.PublishOptions;
import dev.verity.settlement.Deployment;
import dev.verity.settlement.DeploymentParameters;
import dev.verity.settlement.NodeInfo;
import dev.verity.settlement.SettlementException;
import dev.verity.settlement.anvil.AnvilProcess;
import dev.verity.settlement.evm.ContractDeployer;
import dev.verity.settlement.evm.EvmKey;
import dev.verity.settlement.evm.EvmSettlement;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

/**
 * A local Verity network: Anvil, the contracts, and nodes as separate processes on 127.0.0.1, each
 * with its own data directory, operator key (a funded Anvil account) and receipt key. Node 0 and
 * node 1 share an operator (so the per-operator cap has something to cap); every other node has its
 * own. The shared models are registered in ModelRegistry and published to node 0; the other nodes
 * fetch them from their peers. {@link #close()} stops everything it started.
 */
public final class Devnet implements AutoCloseable {
  /** Anvil account that deploys the contracts. */
  static final int DEPLOYER_ACCOUNT = 0;

  /** Anvil account that registers the shared models in ModelRegistry. */
  static final int PUBLISHER_ACCOUNT = 9;

  static final BigInteger ETH = BigInteger.TEN.pow(18);

  /** How the devnet is laid out. */
  public record Options(
      int nodes,
      Path dir,
      Path shared,
      Duration heartbeatInterval,
      Duration anchorInterval,
      Duration maxHeartbeatAge) {
    public Options {
      if (nodes < 2 || nodes > 9) {
        throw new IllegalArgumentException("a devnet has 2 to 9 nodes, got " + nodes);
      }
    }

    public static Options defaults(Path dir, Path shared) {
      return new Options(
          4, dir, shared, Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(30));
    }

    public Options withHeartbeat(Duration every, Duration maxAge) {
      return new Options(nodes, dir, shared, every, anchorInterval, maxAge);
    }

    public Options withNodes(int n) {
      return new Options(n, dir, shared, heartbeatInterval, anchorInterval, maxHeartbeatAge);
    }
  }

  /** A published shared model. */
  public record Model(String name, String version, SignedManifest manifest) {
    public Digest digest() {
      return manifest.digest();
    }

    public String id() {
      return name + "@" + version;
    }
  }

  private final Options options;
  private final PrintWriter out;
  private final long startNanos = System.nanoTime();
  private AnvilProcess anvil;
  private Deployment deployment;
  private dev.verity.receipt.eth.EthAddress disputeManager;
  private Path deploymentFile;
  private EvmSettlement reader;
  private final List<NodeProcess> nodes = new ArrayList<>();
  private final List<EvmKey> operators = new ArrayList<>();
  private final Map<String, Model> models = new LinkedHashMap<>();
  private final Map<String, Double> timings = new LinkedHashMap<>();
  private Thread hook;
  private String classPath;
  private final List<ExtraNode> extra = new ArrayList<>();
  private final List<ChildReaper> reapers = new ArrayList<>();

  private Devnet(Options options, PrintWriter out) {
    this.options = options;
    this.out = out;
  }

  /**
   * Starts Anvil, deploys, starts the nodes and publishes the shared models; returns once every
   * node lists every model on-chain. On failure everything started so far is stopped.
   */
  public static Devnet start(Options options, PrintWriter out) throws Exception {
    return start(options, List.of(), out);
  }

  /** A node started besides the devnet's own: its operator, stake and extra settings. */
  public record ExtraNode(
      String label, EvmKey operator, BigInteger stakeWei, Map<String, String> settings) {
    public ExtraNode {
      java.util.Objects.requireNonNull(label, "label");
      java.util.Objects.requireNonNull(operator, "operator");
      java.util.Objects.requireNonNull(stakeWei, "stakeWei");
      settings = Map.copyOf(settings);
    }
  }

  /**
   * Like {@link #start(Options, PrintWriter)}, with more nodes (e.g. configured to cheat) started
   * together with the devnet's own and listed after them in {@link #nodes()}.
   */
  public static Devnet start(Options options, List<ExtraNode> extra, PrintWriter out)
      throws Exception {
    Devnet d = new Devnet(options, out);
    d.extra.addAll(extra);
    d.hook = new Thread(d::close, "verity-devnet-shutdown");
    Runtime.getRuntime().addShutdownHook(d.hook);
    try {
      d.boot();
      return d;
    } catch (Exception | Error e) {
      d.close();
      throw e;
    }
  }

  private void step(String text) {
    out.printf("[%6.1fs] %s%n", (System.nanoTime() - startNanos) / 1e9, text);
    out.flush();
  }

  private void mark(String what) {
    timings.put(what, (System.nanoTime() - startNanos) / 1e9);
  }

  private void boot() throws Exception {
    Files.createDirectories(options.dir());
    step("starting Anvil");
    Path binary;
    try {
      binary = AnvilProcess.locateBinary();
    } catch (IOException e) {
      Optional<Path> near = anvilNearCode();
      if (near.isPresent()) {
        binary = near.get();
      } else
        throw new CliException(
            "the Anvil binary is missing: run the build first (./verity builds it, or mvn -pl"
                + " verity-settlement install), or set VERITY_ANVIL. "
                + e.getMessage());
    }
    if (!Files.isExecutable(binary)) {
      throw new CliException(
          "the Anvil binary "
              + binary
              + " is missing or not executable: run the build first (./verity builds it, or mvn"
              + " -pl verity-settlement install), or point VERITY_ANVIL at an Anvil binary");
    }
    anvil = AnvilProcess.start(binary, "cancun");
    reapers.add(ChildReaper.watch(anvil.pid()));
    mark("anvil");
    step("Anvil (chain 31337) at " + anvil.rpcUrl() + ", pid " + anvil.pid());

    step("deploying NodeRegistry, ModelRegistry, LogAnchor, Escrow, DisputeManager");
    EvmKey deployer = EvmKey.fromMnemonic(AnvilProcess.MNEMONIC, DEPLOYER_ACCOUNT);
    deployment = ContractDeployer.deploy(anvil.rpcUrl(), deployer, DeploymentParameters.DEVNET);
    disputeManager =
        ContractDeployer.deployDisputeManager(
            anvil.rpcUrl(),
            deployer,
            deployment,
            dev.verity.settlement.dispute.DisputeParameters.DEVNET);
    deploymentFile = options.dir().resolve("deployment.json");
    deployment.write(deploymentFile);
    mark("deployed");
    step("deployed; deployment file " + deploymentFile);

    reader =
        EvmSettlement.connect(
            anvil.rpcUrl(),
            deployment,
            EvmKey.fromMnemonic(AnvilProcess.MNEMONIC, PUBLISHER_ACCOUNT));

    step("signing manifests of the shared models and registering them in ModelRegistry");
    SigningKey publisher = SigningKey.generate();
    Path publisherKey = options.dir().resolve("publisher.key");
    Files.deleteIfExists(publisherKey);
    KeyFiles.writePrivate(publisherKey, publisher);
    addModel(
        "mnist",
        "7",
        options.shared().resolve("models/mnist/mnist-7.onnx"),
        PublishOptions.none()
            .withLicense("MIT")
            .withDescription("MNIST handwritten digit classifier (ONNX opset 7)"),
        publisher);
    addModel(
        "tinystories-260k",
        "1",
        options.shared().resolve("models/tinyllamas"),
        PublishOptions.none()
            .withLicense("MIT")
            .withDescription("TinyStories 260K Llama-2 model with its tokenizer"),
        publisher);
    for (Model m : models.values()) {
      reader.registerModel(m.digest(), m.name(), m.version(), publisher.verifyingKey().raw());
      step("  " + m.id() + " " + m.digest());
    }
    mark("models registered");

    int n = options.nodes();
    int all = n + extra.size();
    List<Integer> ports = freePorts(all);
    classPath = ClassPathSnapshot.take(options.dir().resolve("lib"));
    for (int i = 0; i < all; i++) {
      List<String> peers = new ArrayList<>();
      for (int j = 0; j < all; j++) {
        if (j != i) {
          peers.add("http://127.0.0.1:" + ports.get(j));
        }
      }
      if (i >= n) {
        ExtraNode x = extra.get(i - n);
        nodes.add(nodeProcess(i, ports.get(i), x.operator(), x.stakeWei(), peers, x.settings()));
        continue;
      }
      int account = Math.max(1, i);
      while (operators.size() <= account - 1) {
        operators.add(EvmKey.fromMnemonic(AnvilProcess.MNEMONIC, operators.size() + 1));
      }
      // Stake falls with the index: 4, 3, 2, 1, ... ETH (at least the 1 ETH minimum).
      BigInteger stake = ETH.multiply(BigInteger.valueOf(Math.max(1, n - i)));
      nodes.add(nodeProcess(i, ports.get(i), operators.get(account - 1), stake, peers, Map.of()));
    }
    step(
        "starting "
            + all
            + " nodes as separate processes"
            + (extra.isEmpty()
                ? ""
                : " ("
                    + extra.size()
                    + " extra: "
                    + String.join(", ", extra.stream().map(ExtraNode::label).toList())
                    + ")"));
    for (NodeProcess p : nodes) {
      p.start();
    }
    for (NodeProcess p : nodes) {
      p.awaitReady(Duration.ofSeconds(90));
      NodeInfo info = onChain(p);
      step(
          String.format(
              "  node %d  %s  pid %d  operator %s  stake %s ETH  receipt key %s%s",
              p.index(),
              p.url(),
              p.pid(),
              info.operator(),
              new java.math.BigDecimal(info.stakeWei()).divide(new java.math.BigDecimal(ETH)),
              info.node(),
              p.index() >= n ? "  (" + extra.get(p.index() - n).label() + ")" : ""));
    }
    mark("nodes up");

    step("publishing the models to node 0");
    try (VerityClient c = VerityClient.connect(nodes.getFirst().url())) {
      for (Model m : models.values()) {
        Path root =
            m.name().equals("mnist")
                ? options.shared().resolve("models/mnist")
                : options.shared().resolve("models/tinyllamas");
        for (ManifestFile f : m.manifest().manifest().files()) {
          c.uploadBlob(f.digest(), f.resolveUnder(root), (done, total) -> {});
        }
        c.publish(m.manifest());
      }
    }
    step("waiting for every node to fetch the models from its peers and list them on-chain");
    awaitServing(Duration.ofSeconds(120));
    mark("models served");
    step("every node serves " + String.join(", ", models.keySet()));
  }

  /** Writes node {@code index}'s directory, operator key and configuration. */
  private NodeProcess nodeProcess(
      int index,
      int port,
      EvmKey operator,
      BigInteger stake,
      List<String> peers,
      Map<String, String> extra)
      throws IOException {
    Path dir = options.dir().resolve("node-" + index);
    Files.createDirectories(dir);
    Path opKey = dir.resolve("operator.key");
    Files.deleteIfExists(opKey);
    operator.save(opKey);
    Path config = dir.resolve("node.properties");
    Map<String, String> c = new LinkedHashMap<>();
    c.put("data-dir", dir.resolve("data").toString());
    c.put("host", "127.0.0.1");
    c.put("port", Integer.toString(port));
    c.put("shutdown-grace-seconds", "5");
    c.put("chain-rpc-url", anvil.rpcUrl());
    c.put("deployment-file", deploymentFile.toString());
    c.put("operator-key-file", opKey.toString());
    c.put("stake-wei", stake.toString());
    c.put("heartbeat-interval-seconds", Long.toString(options.heartbeatInterval().toSeconds()));
    c.put("anchor-interval-seconds", Long.toString(options.anchorInterval().toSeconds()));
    c.put(
        "serve-models",
        models.values().stream().map(m -> m.digest().toString()).collect(Collectors.joining(",")));
    c.put("peers", String.join(",", peers));
    c.put("witness-interval-seconds", "10");
    // Every node answers disputes over its own receipts, referees when drawn, and audits
    // sampled receipts of other operators.
    c.put("dispute-manager", disputeManager.toString());
    c.put("audit-enabled", "true");
    c.putAll(extra);
    StringBuilder text = new StringBuilder("# verity devnet node " + index + "\n");
    c.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
    Files.writeString(config, text.toString(), StandardCharsets.UTF_8);
    return new NodeProcess(index, dir, config, port, classPath);
  }

  /**
   * The Anvil binary of the build this code runs from ({@code <root>/verity-settlement/...} when
   * the classes are in {@code <root>/verity-cli/target/classes} or a jar beside them), so the
   * devnet works from any working directory.
   */
  static Optional<Path> anvilNearCode() {
    List<Path> roots = new ArrayList<>();
    String root = System.getProperty("verity.root");
    if (root != null && !root.isBlank()) {
      roots.add(Path.of(root));
    }
    try {
      var src = Devnet.class.getProtectionDomain().getCodeSource();
      if (src != null) {
        Path p = Path.of(src.getLocation().toURI()).toAbsolutePath();
        for (Path d = p; d != null; d = d.getParent()) {
          roots.add(d);
        }
      }
    } catch (java.net.URISyntaxException | RuntimeException e) {
      // no usable code location
    }
    for (Path r : roots) {
      Path b = r.resolve("verity-settlement").resolve(AnvilProcess.MODULE_RELATIVE_BINARY);
      if (Files.isExecutable(b)) {
        return Optional.of(b);
      }
    }
    return Optional.empty();
  }

  private void addModel(String name, String version, Path path, PublishOptions o, SigningKey key)
      throws IOException {
    if (!Files.exists(path)) {
      throw new CliException("shared model " + path + " is missing");
    }
    SignedManifest sm =
        ModelPublisher.createManifest(path, name, version, o.withCreatedAt(Instant.now()), key);
    models.put(name + "@" + version, new Model(name, version, sm));
  }

  /** The node as NodeRegistry holds it (found by endpoint). */
  public NodeInfo onChain(NodeProcess p) throws SettlementException {
    String endpoint = p.url().toString();
    for (NodeInfo n : reader.nodes()) {
      if (n.endpoint().equals(endpoint)) {
        return n;
      }
    }
    throw new SettlementException("node " + p.index() + " (" + endpoint + ") is not registered");
  }

  /**
   * Waits until every running node lists every model on-chain and heartbeats. Fails once {@code
   * stall} passes with no node newly serving a model: on a loaded machine a dozen nodes fetching
   * from each other take a while, and only a wait that makes no progress is an error.
   */
  public void awaitServing(Duration stall) throws Exception {
    long deadline = System.nanoTime() + stall.toNanos();
    int mostServed = -1;
    while (true) {
      List<String> missing = new ArrayList<>();
      int served = 0;
      for (Model m : models.values()) {
        Set<String> serving = new HashSet<>();
        for (NodeInfo n : reader.nodesServing(m.digest(), Optional.of(options.maxHeartbeatAge()))) {
          serving.add(n.endpoint());
        }
        for (NodeProcess p : nodes) {
          if (!p.isAlive()) {
            continue;
          }
          if (serving.contains(p.url().toString())) {
            served++;
          } else {
            missing.add("node " + p.index() + " " + m.name() + "@" + m.version());
          }
        }
      }
      if (missing.isEmpty()) {
        return;
      }
      if (served > mostServed) {
        mostServed = served;
        deadline = System.nanoTime() + stall.toNanos();
      }
      for (NodeProcess p : nodes) {
        if (!p.isAlive()) {
          continue;
        }
        try {
          p.awaitReady(Duration.ofSeconds(1));
        } catch (IOException e) {
          throw new IOException("node " + p.index() + " stopped: " + e.getMessage(), e);
        }
      }
      if (System.nanoTime() > deadline) {
        StringBuilder b =
            new StringBuilder("no node began serving another model for ")
                .append(stall)
                .append("; still missing: ")
                .append(String.join(", ", missing));
        for (NodeProcess p : nodes) {
          b.append("\n--- node ").append(p.index()).append(" log ---\n").append(p.tail(8));
        }
        throw new IOException(b.toString());
      }
      Thread.sleep(250);
    }
  }

  /** A routing client over this devnet's registry. */
  public NetworkClient client(long seed, RetryPolicy retry) throws IOException {
    return NetworkClient.builder()
        .maxHeartbeatAge(options.maxHeartbeatAge())
        .operatorCap(0.5)
        .retry(retry)
        .random(new SplittableRandom(seed))
        .discoveryTtl(Duration.ZERO)
        .failurePenalty(Duration.ofSeconds(5))
        .connect(anvil.rpcUrl(), deployment);
  }

  /** MNIST test images as inference requests for the devnet's MNIST manifest. */
  public InferRequest mnistRequest(
      dev.verity.engine.dataset.MnistIdx.Images images, int index, String requestId) {
    return new InferRequest(
        model("mnist@7").digest().toString(),
        "strict",
        Map.of("Input3", images.tensor(index)),
        "none",
        requestId);
  }

  public Model model(String id) {
    Model m = models.get(id);
    if (m == null) {
      throw new IllegalArgumentException("no devnet model " + id);
    }
    return m;
  }

  public Map<String, Model> models() {
    return models;
  }

  public List<NodeProcess> nodes() {
    return nodes;
  }

  /** The node listening at {@code endpoint}. */
  public Optional<NodeProcess> node(java.net.URI endpoint) {
    return nodes.stream().filter(p -> p.url().equals(endpoint)).findFirst();
  }

  public AnvilProcess anvil() {
    return anvil;
  }

  public Deployment deployment() {
    return deployment;
  }

  public dev.verity.receipt.eth.EthAddress disputeManager() {
    return disputeManager;
  }

  public Path deploymentFile() {
    return deploymentFile;
  }

  public Options options() {
    return options;
  }

  /** The chain as seen by the devnet (read calls; model registration). */
  public EvmSettlement chain() {
    return reader;
  }

  /** Seconds since start at which each phase finished. */
  public Map<String, Double> timings() {
    return timings;
  }

  private static List<Integer> freePorts(int n) throws IOException {
    List<ServerSocket> held = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        held.add(s);
      }
      return held.stream().map(ServerSocket::getLocalPort).toList();
    } finally {
      for (ServerSocket s : held) {
        s.close();
      }
    }
  }

  /** Stops every node (SIGTERM in parallel, then SIGKILL stragglers) and Anvil. Idempotent. */
  @Override
  public synchronized void close() {
    if (!nodes.isEmpty()) {
      ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor();
      List<Future<?>> stops = new ArrayList<>();
      for (NodeProcess p : nodes) {
        stops.add(ex.submit(p::stop));
      }
      for (Future<?> f : stops) {
        try {
          f.get();
        } catch (Exception e) {
          // stop() never throws; a failure here leaves the SIGKILL below to finish the job
        }
      }
      ex.shutdown();
      nodes.forEach(NodeProcess::kill);
    }
    if (reader != null) {
      reader.close();
      reader = null;
    }
    if (anvil != null) {
      anvil.close();
      anvil = null;
    }
    reapers.forEach(ChildReaper::close);
    reapers.clear();
    if (hook != null && Thread.currentThread() != hook) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // already shutting down: the hook is this very call or will find nothing left to do
      }
    }
  }
}
