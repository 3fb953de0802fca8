package dev.verity.node.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.verity.engine.EngineLimits;
import dev.verity.llm.LlmLimits;
import dev.verity.log.note.VerifierKey;
import dev.verity.node.inference.TraceRule;
import dev.verity.node.receipt.ReceiptIssuer;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * How a node runs. Sources, later ones winning: built-in defaults, a config file ({@code .json} or
 * Java properties), environment variables ({@code VERITY_NODE_*}), then explicit overrides such as
 * command-line flags.
 *
 * <p>Settings (file key / environment variable):
 *
 * <ul>
 *   <li>{@code data-dir} / {@code VERITY_NODE_DATA_DIR}: where blobs and manifests live
 *   <li>{@code host} / {@code VERITY_NODE_HOST}: bind address, loopback by default
 *   <li>{@code port} / {@code VERITY_NODE_PORT}: 0 picks a free port
 *   <li>{@code max-upload-size} / {@code VERITY_NODE_MAX_UPLOAD_SIZE}: largest blob accepted, e.g.
 *       {@code 512MiB}
 *   <li>{@code max-json-size} / {@code VERITY_NODE_MAX_JSON_SIZE}: largest JSON request body
 *   <li>{@code shutdown-grace-seconds} / {@code VERITY_NODE_SHUTDOWN_GRACE_SECONDS}: how long
 *       requests in flight may finish on shutdown
 *   <li>{@code max-tensor-size}, {@code max-run-memory}, {@code run-deadline-seconds}: the engine
 *       limits of one inference (largest tensor, all live tensors, wall-clock deadline)
 *   <li>{@code witness-peers} / {@code VERITY_NODE_WITNESS_PEERS}: comma-separated base URLs of
 *       nodes whose logs this node witnesses
 *   <li>{@code witness-interval-seconds}: how often peers are witnessed (0 = only on demand)
 *   <li>{@code llm-max-context-tokens}, {@code llm-max-new-tokens}: bounds on one LLM request
 *       (prompt plus generated tokens; generated tokens), 4096 and 2048 by default
 *   <li>{@code inference-trace} / {@code VERITY_NODE_INFERENCE_TRACE}: {@code auto} (default:
 *       strict requests under policy {@code none} run without a trace and get a receipt without
 *       one, committed on demand in a dispute; other policies commit it eagerly) or {@code always}
 *   <li>{@code receipt-batch-linger-ms}: how long a receipt may wait for requests still running to
 *       join its signed batch (2 ms by default, 0 to 1000); only while such requests exist, so a
 *       lone request never waits
 *   <li>{@code trusted-witnesses}: comma-separated cosignature/v1 verifier keys of witnesses whose
 *       cosignatures always find a place on a checkpoint (one of theirs replaces a stranger's when
 *       all 16 places are taken)
 *   <li>network settings ({@link NetworkConfig}): {@code chain-rpc-url}, {@code deployment-file},
 *       {@code operator-key-file}, {@code stake-wei}, {@code heartbeat-interval-seconds}, {@code
 *       anchor-interval-seconds}, {@code serve-models}, {@code peers}, {@code advertise-url}
 * </ul>
 */
public record NodeConfig(
    Path dataDir,
    String host,
    int port,
    long maxUploadBytes,
    long maxJsonBytes,
    Duration shutdownGrace,
    EngineLimits engineLimits,
    List<URI> witnessPeers,
    Duration witnessInterval,
    NetworkConfig network,
    TraceRule inferenceTrace,
    LlmLimits llmLimits,
    Duration receiptBatchLinger,
    List<VerifierKey> trustedWitnesses) {

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 7070;
  public static final long DEFAULT_MAX_UPLOAD_BYTES = 64L << 30;
  public static final long DEFAULT_MAX_JSON_BYTES = 8L << 20;

  /** Every setting: the node's own and the network's ({@link NetworkConfig#KEYS}). */
  static final Set<String> KEYS = allKeys();

  private static Set<String> allKeys() {
    Set<String> keys = new java.util.HashSet<>(NetworkConfig.KEYS);
    keys.addAll(
        List.of(
            "data-dir",
            "host",
            "port",
            "max-upload-size",
            "max-json-size",
            "shutdown-grace-seconds",
            "max-tensor-size",
            "max-run-memory",
            "run-deadline-seconds",
            "witness-peers",
            "witness-interval-seconds",
            "inference-trace",
            "llm-max-context-tokens",
            "llm-max-new-tokens",
            "receipt-batch-linger-ms",
            "trusted-witnesses"));
    return Set.copyOf(keys);
  }

  public NodeConfig {
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(shutdownGrace, "shutdownGrace");
    if (host.isBlank()) {
      throw new NodeConfigException("host must not be empty");
    }
    if (port < 0 || port > 65535) {
      throw new NodeConfigException("port must be between 0 and 65535, got " + port);
    }
    if (maxUploadBytes <= 0) {
      throw new NodeConfigException("max upload size must be positive, got " + maxUploadBytes);
    }
    if (maxJsonBytes <= 0 || maxJsonBytes > Integer.MAX_VALUE - 8) {
      throw new NodeConfigException(
          "max JSON size must be between 1 byte and 2 GiB, got " + maxJsonBytes);
    }
    if (shutdownGrace.isNegative()) {
      throw new NodeConfigException("shutdown grace must not be negative, got " + shutdownGrace);
    }
    Objects.requireNonNull(engineLimits, "engineLimits");
    witnessPeers = List.copyOf(witnessPeers);
    for (URI u : witnessPeers) {
      if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
        throw new NodeConfigException("witness peer must be an http(s) URL, got " + u);
      }
    }
    Objects.requireNonNull(witnessInterval, "witnessInterval");
    if (witnessInterval.isNegative()) {
      throw new NodeConfigException("witness interval must not be negative");
    }
    Objects.requireNonNull(network, "network");
    Objects.requireNonNull(inferenceTrace, "inferenceTrace");
    Objects.requireNonNull(llmLimits, "llmLimits");
    Objects.requireNonNull(receiptBatchLinger, "receiptBatchLinger");
    trustedWitnesses = List.copyOf(trustedWitnesses);
    checkWitnessKeys(trustedWitnesses);
    if (receiptBatchLinger.isNegative() || receiptBatchLinger.compareTo(MAX_BATCH_LINGER) > 0) {
      throw new NodeConfigException(
          "receipt batch linger must be between 0 and "
              + MAX_BATCH_LINGER.toMillis()
              + " ms, got "
              + receiptBatchLinger.toMillis()
              + " ms");
    }
  }

  /** Checked here so that a bad key stops the node at start, naming the setting. */
  private static void checkWitnessKeys(List<VerifierKey> keys) {
    for (VerifierKey k : keys) {
      if (k.type() != VerifierKey.COSIGNATURE_V1) {
        throw new NodeConfigException(
            "trusted witness " + k.encode() + " is not a cosignature/v1 key (type 0x04)");
      }
    }
  }

  /** Longer than this, a lingering batch would cost more in latency than any signature saves. */
  static final Duration MAX_BATCH_LINGER = Duration.ofSeconds(1);

  /** Defaults: data under {@code ~/.verity/node}, {@code 127.0.0.1:7070}. */
  public static NodeConfig defaults() {
    return new NodeConfig(
        Path.of(System.getProperty("user.home"), ".verity", "node"),
        DEFAULT_HOST,
        DEFAULT_PORT,
        DEFAULT_MAX_UPLOAD_BYTES,
        DEFAULT_MAX_JSON_BYTES,
        Duration.ofSeconds(10),
        EngineLimits.DEFAULT,
        List.of(),
        Duration.ofSeconds(60),
        NetworkConfig.NONE,
        TraceRule.AUTO,
        LlmLimits.DEFAULT,
        ReceiptIssuer.DEFAULT_BATCH_LINGER,
        List.of());
  }

  /** An in-process node for tests and demos: given data dir, loopback, ephemeral port. */
  public static NodeConfig ephemeral(Path dataDir) {
    return defaults().withDataDir(dataDir).withPort(0);
  }

  /** Defaults, then {@code file} if given, then the {@code VERITY_NODE_*} variables of env. */
  public static NodeConfig load(Optional<Path> file, Map<String, String> env) {
    NodeConfig c = defaults();
    if (file.isPresent()) {
      c = c.apply(readFile(file.get()), "config file " + file.get());
    }
    Map<String, String> fromEnv = new LinkedHashMap<>();
    for (String key : KEYS) {
      String var = envName(key);
      String v = env.get(var);
      if (v != null) {
        fromEnv.put(key, v);
      }
    }
    return c.applyEach(fromEnv, key -> "environment variable " + envName(key));
  }

  static String envName(String key) {
    return "VERITY_NODE_" + key.replace('-', '_').toUpperCase(Locale.ROOT);
  }

  private NodeConfig apply(Map<String, String> values, String source) {
    for (String key : values.keySet()) {
      if (!KEYS.contains(key)) {
        throw new NodeConfigException(
            source + ": unknown setting '" + key + "'; known: " + String.join(", ", sortedKeys()));
      }
    }
    return applyEach(values, key -> source + ": " + key);
  }

  private NodeConfig applyEach(
      Map<String, String> values, java.util.function.Function<String, String> where) {
    NodeConfig c = this;
    for (Map.Entry<String, String> e : values.entrySet()) {
      String key = e.getKey();
      String v = e.getValue().trim();
      String w = where.apply(key);
      try {
        c =
            switch (key) {
              case "data-dir" -> {
                if (v.isEmpty()) {
                  throw new NodeConfigException("must not be empty");
                }
                yield c.withDataDir(Path.of(v));
              }
              case "host" -> c.withHost(v);
              case "port" -> c.withPort(parsePort(v));
              case "max-upload-size" -> c.withMaxUploadBytes(parseSize(v));
              case "max-json-size" -> c.copy(f -> f.maxJsonBytes = parseSize(v));
              case "shutdown-grace-seconds" ->
                  c.copy(
                      f ->
                          f.shutdownGrace =
                              Duration.ofSeconds(parseLong(v, "a number of seconds")));
              case "max-tensor-size" ->
                  c.withEngineLimits(
                      limits(parseSize(v), c.engineLimits.maxTotalBytes(), c.engineLimits));
              case "max-run-memory" ->
                  c.withEngineLimits(
                      limits(c.engineLimits.maxTensorBytes(), parseSize(v), c.engineLimits));
              case "run-deadline-seconds" ->
                  c.withEngineLimits(
                      new EngineLimits(
                          c.engineLimits.maxTensorBytes(),
                          c.engineLimits.maxTotalBytes(),
                          Duration.ofSeconds(positive(v, "a number of seconds"))));
              case "witness-peers" -> c.withWitnessPeers(parsePeers(v));
              case "witness-interval-seconds" ->
                  c.withWitnessInterval(Duration.ofSeconds(parseLong(v, "a number of seconds")));
              case "inference-trace" -> {
                try {
                  yield c.withInferenceTrace(TraceRule.parse(v));
                } catch (IllegalArgumentException x) {
                  throw new NodeConfigException(x.getMessage());
                }
              }
              case "llm-max-context-tokens" ->
                  c.withLlmLimits(
                      llmLimits(positive(v, "a number of tokens"), c.llmLimits.maxNewTokens()));
              case "llm-max-new-tokens" ->
                  c.withLlmLimits(
                      llmLimits(c.llmLimits.maxContextTokens(), positive(v, "a number of tokens")));
              case "trusted-witnesses" -> c.withTrustedWitnesses(parseWitnessKeys(v));
              case "receipt-batch-linger-ms" ->
                  c.withReceiptBatchLinger(
                      Duration.ofMillis(parseLong(v, "a number of milliseconds")));
              default -> {
                if (!NetworkConfig.KEYS.contains(key)) {
                  throw new NodeConfigException("unknown setting");
                }
                yield c.withNetwork(c.network.with(key, v));
              }
            };
      } catch (NodeConfigException | java.nio.file.InvalidPathException ex) {
        throw new NodeConfigException(w + ": " + ex.getMessage(), ex);
      }
    }
    return c;
  }

  /** Every component, editable: each {@code withX} changes one and rebuilds (and revalidates). */
  private static final class Fields {
    Path dataDir;
    String host;
    int port;
    long maxUploadBytes;
    long maxJsonBytes;
    Duration shutdownGrace;
    EngineLimits engineLimits;
    List<URI> witnessPeers;
    Duration witnessInterval;
    NetworkConfig network;
    TraceRule inferenceTrace;
    LlmLimits llmLimits;
    Duration receiptBatchLinger;
    List<VerifierKey> trustedWitnesses;

    Fields(NodeConfig c) {
      dataDir = c.dataDir;
      host = c.host;
      port = c.port;
      maxUploadBytes = c.maxUploadBytes;
      maxJsonBytes = c.maxJsonBytes;
      shutdownGrace = c.shutdownGrace;
      engineLimits = c.engineLimits;
      witnessPeers = c.witnessPeers;
      witnessInterval = c.witnessInterval;
      network = c.network;
      inferenceTrace = c.inferenceTrace;
      llmLimits = c.llmLimits;
      receiptBatchLinger = c.receiptBatchLinger;
      trustedWitnesses = c.trustedWitnesses;
    }

    NodeConfig build() {
      return new NodeConfig(
          dataDir,
          host,
          port,
          maxUploadBytes,
          maxJsonBytes,
          shutdownGrace,
          engineLimits,
          witnessPeers,
          witnessInterval,
          network,
          inferenceTrace,
          llmLimits,
          receiptBatchLinger,
          trustedWitnesses);
    }
  }

  private NodeConfig copy(java.util.function.Consumer<Fields> change) {
    Fields f = new Fields(this);
    change.accept(f);
    return f.build();
  }

  public NodeConfig withDataDir(Path dir) {
    return copy(f -> f.dataDir = dir);
  }

  public NodeConfig withHost(String h) {
    return copy(f -> f.host = h);
  }

  /**
   * How long a receipt may wait for other running requests to join its signed batch ({@link
   * ReceiptIssuer#DEFAULT_BATCH_LINGER}; 0 signs at once).
   */
  public NodeConfig withReceiptBatchLinger(Duration linger) {
    return copy(f -> f.receiptBatchLinger = linger);
  }

  /** Witnesses whose cosignatures always find a place on this node's checkpoints. */
  public NodeConfig withTrustedWitnesses(List<VerifierKey> keys) {
    return copy(f -> f.trustedWitnesses = keys);
  }

  /** Comma-separated cosignature/v1 verifier keys ({@code name+keyid+base64}). */
  static List<VerifierKey> parseWitnessKeys(String v) {
    List<VerifierKey> keys = new java.util.ArrayList<>();
    for (String part : v.split(",")) {
      String k = part.trim();
      if (k.isEmpty()) {
        continue;
      }
      try {
        keys.add(VerifierKey.parse(k));
      } catch (IllegalArgumentException e) {
        throw new NodeConfigException(
            "'" + k + "' is not a witness verifier key: " + e.getMessage());
      }
    }
    return keys;
  }

  public NodeConfig withPort(int p) {
    return copy(f -> f.port = p);
  }

  public NodeConfig withMaxUploadBytes(long max) {
    return copy(f -> f.maxUploadBytes = max);
  }

  /** The limits every inference on this node runs under. */
  public NodeConfig withEngineLimits(EngineLimits limits) {
    return copy(f -> f.engineLimits = limits);
  }

  /** Nodes whose logs this node witnesses. */
  public NodeConfig withWitnessPeers(List<URI> peers) {
    return copy(f -> f.witnessPeers = peers);
  }

  public NodeConfig withWitnessInterval(Duration every) {
    return copy(f -> f.witnessInterval = every);
  }

  /** How this node takes part in the network (chain, stake, models, peers); off by default. */
  public NodeConfig withNetwork(NetworkConfig n) {
    return copy(f -> f.network = n);
  }

  /** When strict inferences commit their trace: {@code auto} (by policy) or {@code always}. */
  public NodeConfig withInferenceTrace(TraceRule rule) {
    return copy(f -> f.inferenceTrace = rule);
  }

  /** Bounds on one LLM request (context and new tokens); the model's own context bounds it too. */
  public NodeConfig withLlmLimits(LlmLimits limits) {
    return copy(f -> f.llmLimits = limits);
  }

  private static LlmLimits llmLimits(long context, long newTokens) {
    if (context > Integer.MAX_VALUE || newTokens > Integer.MAX_VALUE) {
      throw new NodeConfigException("must be at most " + Integer.MAX_VALUE + " tokens");
    }
    try {
      return new LlmLimits((int) context, (int) newTokens);
    } catch (IllegalArgumentException e) {
      throw new NodeConfigException(e.getMessage());
    }
  }

  private static EngineLimits limits(long tensor, long total, EngineLimits old) {
    if (tensor <= 0 || total <= 0) {
      throw new NodeConfigException("engine memory limits must be positive");
    }
    return new EngineLimits(tensor, total, old.runDeadline());
  }

  private static long positive(String v, String what) {
    long n = parseLong(v, what);
    if (n == 0) {
      throw new NodeConfigException("'" + v + "' must be positive");
    }
    return n;
  }

  public static List<URI> parsePeers(String v) {
    List<URI> out = new java.util.ArrayList<>();
    for (String part : v.split(",")) {
      String t = part.strip();
      if (t.isEmpty()) {
        continue;
      }
      try {
        out.add(new URI(t.endsWith("/") ? t.substring(0, t.length() - 1) : t));
      } catch (java.net.URISyntaxException e) {
        throw new NodeConfigException("'" + t + "' is not a URL");
      }
    }
    return out;
  }

  /** Parses {@code 1048576}, {@code 512KiB}, {@code 64MiB}, {@code 2GiB} (also KB/MB/GB as 2^n). */
  public static long parseSize(String text) {
    String t = text.trim();
    String upper = t.toUpperCase(Locale.ROOT);
    long mult = 1;
    String[][] units = {
      {"KIB", "10"},
      {"MIB", "20"},
      {"GIB", "30"},
      {"TIB", "40"},
      {"KB", "10"},
      {"MB", "20"},
      {"GB", "30"},
      {"TB", "40"},
      {"K", "10"},
      {"M", "20"},
      {"G", "30"},
      {"T", "40"},
      {"B", "0"}
    };
    for (String[] u : units) {
      if (upper.endsWith(u[0])) {
        mult = 1L << Integer.parseInt(u[1]);
        t = t.substring(0, t.length() - u[0].length()).trim();
        break;
      }
    }
    long n = parseLong(t, "a size such as 1048576, 512MiB or 2GiB");
    if (n > Long.MAX_VALUE / mult) {
      throw new NodeConfigException("size '" + text + "' is too large");
    }
    return n * mult;
  }

  private static int parsePort(String v) {
    long n = parseLong(v, "a port number (0-65535)");
    if (n > 65535) {
      throw new NodeConfigException("'" + v + "' is not a port number (0-65535)");
    }
    return (int) n;
  }

  private static long parseLong(String v, String what) {
    try {
      long n = Long.parseLong(v);
      if (n < 0) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new NodeConfigException("'" + v + "' is not " + what);
    }
  }

  private static Map<String, String> readFile(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new NodeConfigException("config file " + file + " does not exist or is not a file");
    }
    Map<String, String> out = new LinkedHashMap<>();
    try (InputStream in = Files.newInputStream(file)) {
      if (file.getFileName().toString().endsWith(".json")) {
        JsonNode root;
        try {
          root = new ObjectMapper().readTree(in);
        } catch (IOException e) {
          throw new NodeConfigException(
              "config file " + file + " is not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
          throw new NodeConfigException("config file " + file + " must hold a JSON object");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          if (e.getValue().isContainerNode() || e.getValue().isNull()) {
            throw new NodeConfigException(
                "config file " + file + ": " + e.getKey() + " must be a string or number");
          }
          out.put(e.getKey(), e.getValue().asText());
        }
      } else {
        Properties p = new Properties();
        p.load(in);
        for (String k : p.stringPropertyNames()) {
          out.put(k, p.getProperty(k));
        }
      }
    } catch (IOException e) {
      throw new NodeConfigException("cannot read config file " + file + ": " + e.getMessage(), e);
    }
    return out;
  }

  private static java.util.List<String> sortedKeys() {
    return KEYS.stream().sorted().toList();
  }
}
