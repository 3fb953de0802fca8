package dev.verity.node.log;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.log.ConsistencyProof;
import dev.verity.log.fs.AtomicFiles;
import dev.verity.log.note.Checkpoint;
import dev.verity.log.note.Note;
import dev.verity.log.note.NoteSignature;
import dev.verity.log.note.NoteSigner;
import dev.verity.log.note.NoteVerificationException;
import dev.verity.log.note.VerifierKey;
import dev.verity.log.witness.ForkDetectedException;
import dev.verity.log.witness.StaleCheckpointException;
import dev.verity.log.witness.Witness;
import dev.verity.node.http.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node as a witness of other nodes' logs. For a peer URL it learns the peer's log origin and
 * key on first contact ({@code GET /v1/node}, then pinned in {@code witness/peers.json}), fetches
 * the peer's checkpoint and a consistency proof from the last size it cosigned, checks both with
 * {@link Witness}, and delivers the cosignature to the peer ({@code POST /v1/log/cosignatures}).
 * The cosigned checkpoints are also served here ({@code GET /v1/log/cosignatures}). A log that
 * contradicts a checkpoint cosigned before leaves fork evidence in {@code witness/forks/}.
 */
public final class WitnessService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WitnessService.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final Path dir;
  private final NoteSigner key;
  private final List<URI> configuredPeers;
  private final Clock clock;
  private final HttpClient http;
  private final ScheduledExecutorService timer;
  private final Map<String, Pinned> pinned = new LinkedHashMap<>();

  record Pinned(String origin, VerifierKey logKey) {}

  private WitnessService(Path dir, NoteSigner key, List<URI> peers, Duration interval, Clock clock)
      throws IOException {
    this.dir = dir;
    this.key = key;
    this.configuredPeers = List.copyOf(peers);
    this.clock = clock;
    this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    loadPinned();
    if (!peers.isEmpty() && !interval.isZero()) {
      timer =
          Executors.newSingleThreadScheduledExecutor(
              Thread.ofPlatform().daemon().name("verity-witness").factory());
      long s = interval.toMillis();
      timer.scheduleWithFixedDelay(this::witnessConfiguredQuietly, s, s, TimeUnit.MILLISECONDS);
    } else {
      timer = null;
    }
  }

  /**
   * Opens the witness under {@code dataDir} ({@code keys/witness.key}, created with mode 0600 on
   * first use, named {@code witness.<node origin>}).
   */
  public static WitnessService open(
      Path dataDir, String nodeOrigin, List<URI> peers, Duration interval) throws IOException {
    Path keyFile = dataDir.resolve("keys").resolve("witness.key");
    NoteSigner key;
    if (Files.exists(keyFile)) {
      key = NoteSigner.load(keyFile);
    } else {
      key =
          NoteSigner.generate(
              "witness." + nodeOrigin, VerifierKey.COSIGNATURE_V1, new SecureRandom());
      key.save(keyFile);
    }
    return new WitnessService(dataDir.resolve("witness"), key, peers, interval, Clock.systemUTC());
  }

  public VerifierKey verifierKey() {
    return key.verifierKey();
  }

  public List<URI> configuredPeers() {
    return configuredPeers;
  }

  private void witnessConfiguredQuietly() {
    try {
      witnessConfigured();
    } catch (RuntimeException e) {
      LOG.warn("witnessing peers failed: {}", e.toString());
    }
  }

  /** Witnesses every configured peer once. */
  public List<WitnessOutcome> witnessConfigured() {
    List<WitnessOutcome> out = new ArrayList<>();
    for (URI p : configuredPeers) {
      out.add(witness(p));
    }
    return out;
  }

  /** Witnesses one peer now; never throws for what the peer did, reports it instead. */
  public synchronized WitnessOutcome witness(URI peer) {
    String base = peer.toString().replaceAll("/+$", "");
    try {
      Pinned p = pin(base);
      String note = get(base + "/checkpoint");
      Checkpoint cp = Checkpoint.parse(Note.parse(note).text());
      if (!cp.origin().equals(p.origin())) {
        return new WitnessOutcome.Failed(
            base,
            "peer serves a checkpoint of log '"
                + cp.origin()
                + "' but was pinned to '"
                + p.origin()
                + "'");
      }
      Witness w = new Witness(dir, key, Map.of(p.origin(), p.logKey()), clock);
      long last = w.lastCosigned(p.origin()).map(c -> c.checkpoint().size()).orElse(0L);
      ConsistencyProof proof = new ConsistencyProof(last, cp.size(), List.of());
      if (last > 0 && cp.size() > last) {
        proof = consistency(base, last, cp.size());
      }
      NoteSignature sig;
      try {
        sig = w.cosign(note, proof);
      } catch (ForkDetectedException e) {
        return new WitnessOutcome.Forked(base, e.evidence(), e.file().toString());
      } catch (StaleCheckpointException e) {
        return new WitnessOutcome.Failed(base, e.getMessage());
      }
      String cosigned = Note.parse(note).withSignature(sig).encode();
      AtomicFiles.write(
          dir.resolve("cosigned").resolve(originId(p.origin()) + ".note"),
          cosigned.getBytes(StandardCharsets.UTF_8));
      boolean delivered = deliver(base, cosigned);
      LOG.info("witnessed {} ({}) at size {} (previously {})", p.origin(), base, cp.size(), last);
      return new WitnessOutcome.Cosigned(base, p.origin(), cp.size(), last, delivered);
    } catch (IOException | NoteVerificationException | RuntimeException e) {
      if (e instanceof InterruptedIOException) {
        Thread.currentThread().interrupt();
      }
      LOG.warn("witnessing {} failed: {}", base, e.getMessage());
      return new WitnessOutcome.Failed(base, String.valueOf(e.getMessage()));
    }
  }

  private static final class InterruptedIOException extends IOException {
    InterruptedIOException(InterruptedException e) {
      super("interrupted", e);
    }
  }

  private Pinned pin(String base) throws IOException {
    Pinned known = pinned.get(base);
    JsonNode n = Json.MAPPER.readTree(get(base + "/v1/node"));
    if (n == null || !n.path("origin").isTextual() || !n.path("logKey").isTextual()) {
      throw new IOException("peer " + base + " answered /v1/node without origin and logKey");
    }
    VerifierKey k = VerifierKey.parse(n.get("logKey").textValue());
    String origin = n.get("origin").textValue();
    if (!k.name().equals(origin) || k.type() != VerifierKey.ED25519) {
      throw new IOException("peer " + base + " has a log key that does not match its origin");
    }
    if (known != null) {
      if (!known.logKey().equals(k)) {
        throw new IOException(
            "peer "
                + base
                + " now presents log key "
                + k.encode()
                + " but was pinned to "
                + known.logKey().encode());
      }
      return known;
    }
    Pinned p = new Pinned(origin, k);
    pinned.put(base, p);
    savePinned();
    LOG.info("witness pinned peer {} to log {} ({})", base, origin, k.keyIdHex());
    return p;
  }

  private ConsistencyProof consistency(String base, long from, long to) throws IOException {
    JsonNode n =
        Json.MAPPER.readTree(get(base + "/v1/log/proof/consistency?from=" + from + "&to=" + to));
    JsonNode arr = n.path("proof");
    if (!arr.isArray() || arr.size() > 64) {
      throw new IOException("peer sent a malformed consistency proof");
    }
    List<Bytes> path = new ArrayList<>();
    for (JsonNode h : arr) {
      byte[] b = Base64.getDecoder().decode(h.asText());
      if (b.length != 32) {
        throw new IOException("peer sent a consistency proof hash that is not 32 bytes");
      }
      path.add(Bytes.copyOf(b));
    }
    return new ConsistencyProof(from, to, path);
  }

  private boolean deliver(String base, String cosigned) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("witness", key.verifierKey().encode());
    body.put("checkpoint", cosigned);
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/v1/log/cosignatures"))
                  .timeout(TIMEOUT)
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() / 100 != 2) {
        LOG.warn("peer {} refused the cosignature: {} {}", base, r.statusCode(), r.body());
        return false;
      }
      return true;
    } catch (IOException e) {
      LOG.warn("delivering the cosignature to {} failed: {}", base, e.toString());
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private String get(String url) throws IOException {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IOException("GET " + url + " answered " + r.statusCode());
      }
      return r.body();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException(e);
    }
  }

  /** The checkpoints this witness cosigned last, one per witnessed log (with its cosignature). */
  public synchronized List<String> cosigned() throws IOException {
    List<String> out = new ArrayList<>();
    Path d = dir.resolve("cosigned");
    if (!Files.isDirectory(d)) {
      return out;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(d, "*.note")) {
      for (Path p : ds) {
        out.add(Files.readString(p, StandardCharsets.UTF_8));
      }
    }
    out.sort(null);
    return out;
  }

  /** Stored fork evidence files (JSON). */
  public synchronized List<JsonNode> forks() throws IOException {
    List<JsonNode> out = new ArrayList<>();
    Path d = dir.resolve("forks");
    if (!Files.isDirectory(d)) {
      return out;
    }
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(d, "*.json")) {
      ds.forEach(files::add);
    }
    files.sort(null);
    for (Path p : files) {
      out.add(Json.MAPPER.readTree(Files.readAllBytes(p)));
    }
    return out;
  }

  /** Pinned peers: URL to origin and log key. */
  public synchronized Map<String, Pinned> pinned() {
    return Map.copyOf(pinned);
  }

  private void loadPinned() throws IOException {
    Path f = dir.resolve("peers.json");
    if (!Files.exists(f)) {
      return;
    }
    JsonNode n = Json.MAPPER.readTree(Files.readAllBytes(f));
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      pinned.put(
          e.getKey(),
          new Pinned(
              e.getValue().path("origin").asText(),
              VerifierKey.parse(e.getValue().path("logKey").asText())));
    }
  }

  private void savePinned() throws IOException {
    ObjectNode o = Json.MAPPER.createObjectNode();
    pinned.forEach(
        (url, p) -> {
          ObjectNode e = o.putObject(url);
          e.put("origin", p.origin());
          e.put("logKey", p.logKey().encode());
        });
    AtomicFiles.write(dir.resolve("peers.json"), Json.MAPPER.writeValueAsBytes(o));
  }

  static String originId(String origin) {
    return Digest.of(origin.getBytes(StandardCharsets.UTF_8)).hex().substring(0, 32);
  }

  @Override
  public void close() {
    if (timer != null) {
      timer.shutdownNow();
    }
    // Do not wait for a slow peer on shutdown.
    http.shutdownNow();
  }
}
