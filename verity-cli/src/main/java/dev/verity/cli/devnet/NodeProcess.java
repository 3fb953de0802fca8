package dev.verity.cli.devnet;

import java.io.IOException;
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
import java.util.concurrent.TimeUnit;

/**
 * One node of the devnet as a separate operating-system process: {@code java -cp <this class path>
 * dev.verity.cli.VerityCli node run --config FILE}, its output appended to {@code node.log} in its
 * directory. It can be stopped cleanly (SIGTERM, then SIGKILL after a grace period), killed
 * (SIGKILL) and started again on the same data directory and port.
 */
public final class NodeProcess {
  private static final Duration STOP_GRACE = Duration.ofSeconds(20);

  private final int index;
  private final Path dir;
  private final Path config;
  private final int port;
  private final String classPath;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private volatile Process process;
  private ChildReaper reaper;

  NodeProcess(int index, Path dir, Path config, int port, String classPath) {
    this.classPath = classPath;
    this.index = index;
    this.dir = dir;
    this.config = config;
    this.port = port;
  }

  public int index() {
    return index;
  }

  public Path dir() {
    return dir;
  }

  public int port() {
    return port;
  }

  public URI url() {
    return URI.create("http://127.0.0.1:" + port);
  }

  public Path log() {
    return dir.resolve("node.log");
  }

  /** The process id while running. */
  public long pid() {
    Process p = process;
    return p == null ? -1 : p.pid();
  }

  public boolean isAlive() {
    Process p = process;
    return p != null && p.isAlive();
  }

  /** The command that runs this node. */
  List<String> command() {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(
        List.of(
            "-Xss4m",
            "-Xmx1g",
            "-XX:+UseSerialGC",
            // Four JVMs start at once on a small machine: C1 only keeps start-up CPU low.
            "-XX:TieredStopAtLevel=1",
            "--enable-native-access=ALL-UNNAMED",
            "--add-modules",
            "jdk.incubator.vector",
            "-cp",
            classPath,
            "dev.verity.cli.VerityCli",
            "node",
            "run",
            "--config",
            config.toString()));
    return cmd;
  }

  /** Starts the process; {@link #awaitReady} waits for it to answer. */
  public synchronized void start() throws IOException {
    if (isAlive()) {
      throw new IllegalStateException("node " + index + " is already running");
    }
    ProcessBuilder pb =
        new ProcessBuilder(command())
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
    pb.environment().keySet().removeIf(k -> k.startsWith("VERITY_NODE_"));
    process = pb.start();
    if (reaper != null) {
      reaper.close();
    }
    // Killed with this JVM even if the JVM gets no chance to stop it (SIGKILL).
    reaper = ChildReaper.watch(process.pid());
  }

  /** Waits until {@code GET /v1/health} answers 200, or fails with the end of the node's log. */
  public void awaitReady(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Duration pause = Duration.ofMillis(50);
    while (System.nanoTime() < deadline) {
      Process p = process;
      if (p == null || !p.isAlive()) {
        throw new IOException(
            "node "
                + index
                + " exited"
                + (p == null ? "" : " with status " + p.exitValue())
                + " before it was ready; the end of "
                + log()
                + ":\n"
                + tail(20));
      }
      try {
        HttpResponse<Void> r =
            http.send(
                HttpRequest.newBuilder(url().resolve("/v1/health"))
                    .timeout(Duration.ofSeconds(2))
                    .build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for node " + index, e);
      }
      try {
        // Bounded readiness polling of a separate process; there is nothing to wait on instead.
        p.waitFor(pause.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for node " + index, e);
      }
      pause =
          pause.multipliedBy(2).compareTo(Duration.ofMillis(400)) > 0
              ? Duration.ofMillis(400)
              : pause.multipliedBy(2);
    }
    throw new IOException(
        "node "
            + index
            + " did not answer within "
            + timeout
            + "; the end of "
            + log()
            + ":\n"
            + tail(20));
  }

  /** SIGKILL: the node gets no chance to clean up (crash tests). */
  public void kill() {
    Process p = process;
    if (p != null) {
      p.destroyForcibly();
      try {
        p.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    unwatch();
  }

  private synchronized void unwatch() {
    if (reaper != null) {
      reaper.close();
      reaper = null;
    }
  }

  /** SIGTERM, letting the node drain and anchor; SIGKILL if it takes longer than the grace. */
  public void stop() {
    Process p = process;
    if (p == null || !p.isAlive()) {
      return;
    }
    p.destroy();
    try {
      if (!p.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    unwatch();
  }

  /** The last {@code n} lines of the node's log. */
  public String tail(int n) {
    try {
      List<String> lines = Files.readAllLines(log(), StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  @Override
  public String toString() {
    return "node " + index + " at " + url();
  }
}
