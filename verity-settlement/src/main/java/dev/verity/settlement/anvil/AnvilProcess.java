package dev.verity.settlement.anvil;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local Anvil chain (the native binary of the npm package {@code @foundry-rs/anvil-linux-amd64})
 * on 127.0.0.1 with an ephemeral port, the fixed devnet mnemonic and chain id 31337. {@link
 * #close()} stops it (terminate, then kill); a JVM shutdown hook does the same if the caller
 * forgets.
 */
public final class AnvilProcess implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AnvilProcess.class);

  /** The well-known development mnemonic; its accounts are funded with 10000 ETH each. */
  public static final String MNEMONIC =
      "test test test test test test test test test test test junk";

  public static final long CHAIN_ID = 31337;

  /** Where the Maven build puts the binary, relative to the verity-settlement module. */
  public static final String MODULE_RELATIVE_BINARY =
      "node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil";

  private static final Pattern LISTENING = Pattern.compile("Listening on 127\\.0\\.0\\.1:(\\d+)");
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private final Process process;
  private final int port;
  private final Thread shutdownHook;
  private final HttpClient http = HttpClient.newHttpClient();

  private AnvilProcess(Process process, int port, Thread shutdownHook) {
    this.process = process;
    this.port = port;
    this.shutdownHook = shutdownHook;
  }

  /** Starts Anvil with 12 funded accounts and the given hardfork (e.g. "cancun"). */
  public static AnvilProcess start() throws IOException {
    return start(locateBinary(), "cancun");
  }

  public static AnvilProcess start(Path binary, String hardfork) throws IOException {
    if (!Files.isExecutable(binary)) {
      throw new IOException("Anvil binary " + binary + " is missing or not executable");
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(binary.toString());
    cmd.addAll(
        List.of(
            "--host", "127.0.0.1",
            "--port", "0",
            "--chain-id", Long.toString(CHAIN_ID),
            "--mnemonic", MNEMONIC,
            "--accounts", "12",
            "--balance", "10000",
            "--hardfork", hardfork));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    Process p = pb.start();
    Thread hook = new Thread(() -> stop(p), "anvil-shutdown-" + p.pid());
    Runtime.getRuntime().addShutdownHook(hook);
    CompletableFuture<Integer> portFound = new CompletableFuture<>();
    Thread reader =
        Thread.ofPlatform()
            .daemon()
            .name("anvil-output-" + p.pid())
            .start(() -> drain(p, portFound));
    try {
      int port = portFound.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      AnvilProcess anvil = new AnvilProcess(p, port, hook);
      anvil.awaitRpc();
      LOG.info("Anvil pid {} listening on {}", p.pid(), anvil.rpcUrl());
      return anvil;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      cleanup(p, hook);
      throw new IOException("interrupted while starting Anvil", e);
    } catch (ExecutionException | TimeoutException | IOException e) {
      cleanup(p, hook);
      reader.interrupt();
      throw new IOException(
          "Anvil did not start within " + START_TIMEOUT + ": " + e.getMessage(), e);
    }
  }

  /**
   * The binary: system property {@code verity.anvil}, else environment variable {@code
   * VERITY_ANVIL}, else {@value #MODULE_RELATIVE_BINARY} under a verity-settlement directory found
   * from the working directory upwards.
   */
  public static Path locateBinary() throws IOException {
    String prop = System.getProperty("verity.anvil");
    if (prop != null && !prop.isBlank()) {
      return Path.of(prop);
    }
    String env = System.getenv("VERITY_ANVIL");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      for (Path candidate :
          List.of(
              dir.resolve(MODULE_RELATIVE_BINARY),
              dir.resolve("verity-settlement").resolve(MODULE_RELATIVE_BINARY))) {
        if (Files.isExecutable(candidate)) {
          return candidate;
        }
      }
    }
    throw new IOException(
        "cannot find the Anvil binary: build verity-settlement (it installs "
            + MODULE_RELATIVE_BINARY
            + ") or set VERITY_ANVIL / -Dverity.anvil");
  }

  public String rpcUrl() {
    return "http://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Moves the chain clock forward (evm_increaseTime) and mines a block so it takes effect. */
  public void increaseTime(Duration d) throws IOException {
    rpc("evm_increaseTime", "[" + d.toSeconds() + "]");
    mine();
  }

  public void mine() throws IOException {
    rpc("evm_mine", "[]");
  }

  /** A raw JSON-RPC call; returns the response body, throws if it carries an error. */
  public String rpc(String method, String paramsJson) throws IOException {
    String body =
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\""
            + method
            + "\",\"params\":"
            + paramsJson
            + "}";
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(rpcUrl()))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    try {
      String resp = http.send(req, HttpResponse.BodyHandlers.ofString()).body();
      if (resp.contains("\"error\"")) {
        throw new IOException("Anvil " + method + " failed: " + resp);
      }
      return resp;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted during " + method, e);
    }
  }

  private void awaitRpc() throws IOException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    IOException last = null;
    Duration backoff = Duration.ofMillis(20);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("Anvil exited with status " + process.exitValue());
      }
      try {
        if (rpc("eth_chainId", "[]").contains("0x7a69")) {
          return;
        }
      } catch (IOException e) {
        last = e;
      }
      try {
        // Bounded polling for readiness, not synchronisation on a guess.
        process.waitFor(backoff.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for Anvil", e);
      }
      backoff =
          backoff.multipliedBy(2).compareTo(Duration.ofMillis(500)) > 0
              ? Duration.ofMillis(500)
              : backoff.multipliedBy(2);
    }
    throw new IOException("Anvil RPC did not answer eth_chainId", last);
  }

  private static void drain(Process p, CompletableFuture<Integer> portFound) {
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        if (!portFound.isDone()) {
          Matcher m = LISTENING.matcher(line);
          if (m.find()) {
            portFound.complete(Integer.parseInt(m.group(1)));
          }
        }
        LOG.trace("anvil: {}", line);
      }
    } catch (IOException e) {
      LOG.debug("anvil output closed: {}", e.getMessage());
    }
    portFound.completeExceptionally(new IOException("Anvil exited before listening"));
  }

  private static void cleanup(Process p, Thread hook) {
    stop(p);
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // already shutting down: the hook runs anyway
    }
  }

  private static void stop(Process p) {
    if (!p.isAlive()) {
      return;
    }
    p.destroy();
    try {
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** Exit status once stopped. */
  public Optional<Integer> exitValue() {
    return process.isAlive() ? Optional.empty() : Optional.of(process.exitValue());
  }

  @Override
  public void close() {
    cleanup(process, shutdownHook);
    LOG.info("Anvil pid {} stopped", process.pid());
  }
}
