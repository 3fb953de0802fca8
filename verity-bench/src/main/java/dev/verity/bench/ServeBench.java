package dev.verity.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.verity.cli.model.PublishCommand;
import dev.verity.cli.progress.Progress;
import dev.verity.cli.progress.ProgressBar;
import dev.verity.client.VerityClient;
import dev.verity.core.key.SigningKey;
import dev.verity.engine.EngineLimits;
import dev.verity.engine.LoadedModel;
import dev.verity.engine.Tensor;
import dev.verity.engine.TensorJson;
import dev.verity.engine.dataset.MnistIdx;
import dev.verity.engine.strict.StrictEngine;
import dev.verity.hub.publish.PublishOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code verity bench serve}: what receipts and the durable log add to an MNIST inference request
 * as served over HTTP, measured against the same request served by the same HTTP stack without
 * them. Two servers run as child JVMs with this JVM's class path and the same options:
 *
 * <ul>
 *   <li><b>node</b>: {@code verity node run} on a fresh data directory with default settings, MNIST
 *       published to it with a signed manifest as {@code verity model publish} does; every answer
 *       carries a signed receipt, durably logged (group commit, fsync) before it is sent, and the
 *       input and output are archived;
 *   <li><b>bare</b>: {@link BareInferenceServer}, the node's HTTP server, JSON parsing and strict
 *       engine on the same model, without model resolution, digests, receipt, log or archive.
 * </ul>
 *
 * The load generator here runs C clients on virtual threads, each sending the JSON body that {@link
 * VerityClient#infer} sends (base64 tensors, policy {@code none}, so the node commits no trace) for
 * successive MNIST test images, cycling through all 10,000, each input used once ({@link Pair}).
 * Every answer must be 200, and both servers must return the same outputs for the same input. Per
 * round: requests per second, and the server process's CPU time per request (every thread of the
 * child: HTTP, engine, signer, log committer, JIT, GC). Rounds alternate bare and node, three of
 * each per client count; the best rate and the least CPU of each are printed.
 *
 * <p>Arguments: {@code [dir] [requests per client] [clients...]}; dir defaults to
 * ./target/serve-bench and must be on a real disk (the node fsyncs its log there). With {@code
 * -Dverity.bench.serve.jfr=DIR} both children record a JFR file into DIR.
 */
public final class ServeBench {
  private static final List<String> CHILD_OPTIONS =
      List.of(
          "-Xmx1g",
          "-Xms1g",
          "--enable-native-access=ALL-UNNAMED",
          "--add-modules",
          "jdk.incubator.vector");
  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int PAIRS = 3;

  private ServeBench() {}

  public static void main(String[] args) throws Exception {
    Path base = Path.of(args.length > 0 ? args[0] : "target/serve-bench");
    int perClient = args.length > 1 ? Integer.parseInt(args[1]) : 300;
    List<Integer> clientCounts = new ArrayList<>();
    for (int i = 2; i < args.length; i++) {
      clientCounts.add(Integer.parseInt(args[i]));
    }
    if (clientCounts.isEmpty()) {
      clientCounts = List.of(1, 8, 64);
    }
    if (perClient < 1 || clientCounts.stream().anyMatch(c -> c < 1)) {
      throw new IllegalArgumentException("requests per client and client counts must be >= 1");
    }
    Path shared = EngineBench.sharedDir();
    Path modelFile = shared.resolve("models/mnist/mnist-7.onnx");
    MnistIdx.Images images =
        MnistIdx.readImages(shared.resolve("datasets/mnist/t10k-images-idx3-ubyte.gz"));
    String loadStart = loadAverage();
    System.out.printf(
        "verity bench serve: %d CPUs, MNIST (mnist-7.onnx) on the strict engine over HTTP,"
            + " %d requests per client, clients %s, dir %s, %s%n",
        Runtime.getRuntime().availableProcessors(),
        perClient,
        clientCounts,
        base.toAbsolutePath(),
        LocalDate.now());
    System.out.println("load average at start: " + loadStart);
    Files.createDirectories(base);
    Path dir = Files.createTempDirectory(base.toAbsolutePath(), "run-");
    List<Child> children = new ArrayList<>();
    Thread hook =
        new Thread(
            () -> {
              synchronized (children) {
                children.forEach(Child::stop);
              }
              try {
                deleteTree(dir);
              } catch (IOException e) {
                System.err.println("cannot delete " + dir + ": " + e.getMessage());
              }
            },
            "serve-bench-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      String input;
      try (LoadedModel m =
          new StrictEngine().load(Files.readAllBytes(modelFile), EngineLimits.DEFAULT)) {
        input = m.inputs().get(0).name();
      }
      Child bare =
          Child.start(
              "bare",
              dir,
              BareInferenceServer.class.getName(),
              List.of(modelFile.toString()),
              Pattern.compile("^port (\\d+)$"),
              children);
      Child node =
          Child.start(
              "node",
              dir,
              "dev.verity.cli.VerityCli",
              List.of(
                  "node",
                  "run",
                  "--data-dir",
                  dir.resolve("node-data").toString(),
                  "--host",
                  "127.0.0.1",
                  "--port",
                  "0"),
              Pattern.compile("^Verity node running at http://127\\.0\\.0\\.1:(\\d+) .*"),
              children);
      // As `verity model publish` does: a manifest signed by a (throwaway) publisher key.
      try (VerityClient client = VerityClient.connect(node.url())) {
        PrintWriter quiet = new PrintWriter(System.out, true);
        PublishCommand.publish(
            client,
            modelFile,
            "mnist",
            "7",
            PublishOptions.none().withLicense("MIT"),
            SigningKey.generate(),
            new Progress(quiet, ProgressBar.Mode.NONE),
            quiet);
      }
      Load load = new Load(images, input);
      System.out.printf(
          "servers: bare pid %d port %d, node pid %d port %d (child JVM options %s)%n",
          bare.pid(), bare.port(), node.pid(), node.port(), String.join(" ", CHILD_OPTIONS));

      // JIT warm-up of both servers, alone and concurrently.
      for (int w = 0; w < 3; w++) {
        for (int[] cn : new int[][] {{1, 300}, {16, 150}, {64, 30}}) {
          Pair warm = load.pair(cn[0] * cn[1]);
          load.round(bare, cn[0], cn[1], warm);
          load.round(node, cn[0], cn[1], warm);
        }
      }
      System.out.printf(
          "warmed up: %d requests per server, outputs identical so far%n",
          load.requests.get(node.name));

      List<String> rows = new ArrayList<>();
      for (int clients : clientCounts) {
        int n = clients * perClient;
        Measured b = new Measured();
        Measured d = new Measured();
        StringBuilder cpuSources = new StringBuilder();
        for (int pair = 0; pair < PAIRS; pair++) {
          // Both servers get the same inputs in a pair, inputs no server has seen before.
          Pair inputs = load.pair(n);
          Round rb = load.round(bare, clients, perClient, inputs);
          Round rn = load.round(node, clients, perClient, inputs);
          b.add(rb);
          d.add(rn);
          cpuSources.append(rb.cpuSource.charAt(0)).append(rn.cpuSource.charAt(0));
        }
        rows.add(
            String.format(
                Locale.ROOT,
                "| %7d | %10.0f | %10.0f | %14.2fx | %15.0f | %15.0f | %13.2fx | %22.0f |",
                clients,
                b.bestRate,
                d.bestRate,
                b.bestRate / d.bestRate,
                b.leastCpuMicros,
                d.leastCpuMicros,
                d.leastCpuMicros / b.leastCpuMicros,
                d.leastCpuMicros - b.leastCpuMicros));
        System.out.printf(
            Locale.ROOT,
            "  %d client(s): %d requests per round, %d distinct inputs per round (MNIST test"
                + " images %d..%d); rounds bare/node req/s %s / %s; CPU µs/req %s / %s; in"
                + " the kernel %s / %s; CPU source per round %s%n",
            clients,
            n,
            n,
            0,
            Math.min(n, images.count()) - 1,
            b.rates(),
            d.rates(),
            b.cpus(),
            d.cpus(),
            b.systemShares(),
            d.systemShares(),
            cpuSources);
      }
      System.out.println();
      System.out.println(
          "| clients | bare req/s | node req/s | node/bare time | bare CPU µs/req | node CPU µs/req"
              + " | node/bare CPU | receipt+log CPU µs/req |");
      System.out.println(
          "|---------|------------|------------|----------------|-----------------|----------------"
              + "-|---------------|------------------------|");
      rows.forEach(System.out::println);
      long logSize;
      try (VerityClient client = VerityClient.connect(node.url())) {
        logSize = client.node().logSize();
      }
      System.out.printf(
          "(best req/s and least server CPU per request of %d interleaved rounds each; CPU = the"
              + " server process's CPU time over the round (s = sum of /proc/PID/task/*/schedstat,"
              + " ns; t = /proc/PID/stat utime+stime, %d Hz ticks, used when threads came and"
              + " went) / requests; node/bare time = bare req/s / node req/s; every answer 200;"
              + " outputs of the two servers identical on all %d inputs; node log holds %d"
              + " receipts)%n",
          PAIRS, Cpu.TICKS_PER_SECOND, load.compared.get(), logSize);
      if (logSize < load.requests.get(node.name)) {
        throw new IllegalStateException(
            "the node answered "
                + load.requests.get(node.name)
                + " requests but its log holds only "
                + logSize
                + " receipts");
      }
      System.out.println("load average at end: " + loadAverage());
    } finally {
      synchronized (children) {
        children.forEach(Child::stop);
      }
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // Already shutting down: the hook stops the children.
      }
      deleteTree(dir);
    }
  }

  static void deleteTree(Path root) throws IOException {
    try (java.util.stream.Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2] + " (1, 5, 15 min)";
    } catch (IOException e) {
      return "unknown (" + e.getMessage() + ")";
    }
  }

  /** Best rate and least CPU per request over the rounds of one server at one client count. */
  static final class Measured {
    final List<Round> rounds = new ArrayList<>();
    double bestRate;
    double leastCpuMicros = Double.MAX_VALUE;

    void add(Round r) {
      rounds.add(r);
      bestRate = Math.max(bestRate, r.requestsPerSecond);
      leastCpuMicros = Math.min(leastCpuMicros, r.cpuMicrosPerRequest);
    }

    String rates() {
      return rounds.stream()
          .map(r -> String.format(Locale.ROOT, "%.0f", r.requestsPerSecond))
          .toList()
          .toString();
    }

    String cpus() {
      return rounds.stream()
          .map(r -> String.format(Locale.ROOT, "%.0f", r.cpuMicrosPerRequest))
          .toList()
          .toString();
    }

    String systemShares() {
      return rounds.stream()
          .map(r -> String.format(Locale.ROOT, "%.0f%%", 100 * r.systemShare))
          .toList()
          .toString();
    }
  }

  record Round(
      double requestsPerSecond, double cpuMicrosPerRequest, String cpuSource, double systemShare) {}

  /**
   * The inputs of one pair of rounds: the same for both servers, and new to each of them. Request
   * {@code i} carries MNIST test image {@code i mod 10,000} with two border pixels (0 in every
   * MNIST image) set from a tag used only once, so that no input repeats within a server's life, as
   * in real traffic: the node archives each input and output by digest and writes only those it has
   * not seen. Built before the rounds, so building them is not timed.
   */
  record Pair(byte[][] bodies, AtomicReferenceArray<JsonNode> outputs) {}

  /** The load generator: one shared HTTP/1.1 client per server, clients on virtual threads. */
  static final class Load {
    private final MnistIdx.Images images;
    private final String input;
    private final Map<String, HttpClient> http = new HashMap<>();

    /** The next unused tag: a tag marks up to 10,000 inputs, one per MNIST test image. */
    private long nextTag = 1;

    final AtomicLong compared = new AtomicLong();
    final Map<String, Long> requests = new ConcurrentHashMap<>();

    Load(MnistIdx.Images images, String input) {
      this.images = images;
      this.input = input;
    }

    /** {@code n} request bodies as {@link VerityClient#infer} builds them (field order too). */
    Pair pair(int n) throws IOException {
      long firstTag = nextTag;
      nextTag += (n - 1) / images.count() + 1;
      byte[][] bodies = new byte[n][];
      for (int i = 0; i < n; i++) {
        int image = i % images.count();
        float[] pixels = images.floats(image);
        long tag = firstTag + i / images.count();
        pixels[0] = 1 + tag % 255;
        pixels[images.cols() - 1] = 1 + (tag / 255) % 255;
        Tensor t = Tensor.ofFloats(new long[] {1, 1, images.rows(), images.cols()}, pixels);
        ObjectNode body = JSON.createObjectNode();
        body.put("model", "mnist@7");
        body.put("engine", StrictEngine.ID);
        body.put("policy", "none");
        body.put("outputEncoding", "base64");
        body.set("inputs", TensorJson.toJson(Map.of(input, t), true));
        bodies[i] = JSON.writeValueAsBytes(body);
      }
      return new Pair(bodies, new AtomicReferenceArray<>(n));
    }

    Round round(Child server, int clients, int perClient, Pair inputs) throws Exception {
      HttpClient client =
          http.computeIfAbsent(
              server.name,
              k ->
                  HttpClient.newBuilder()
                      .version(HttpClient.Version.HTTP_1_1)
                      .connectTimeout(Duration.ofSeconds(10))
                      .build());
      URI uri = server.url().resolve("/v1/infer");
      AtomicInteger next = new AtomicInteger();
      List<CompletableFuture<Void>> done = new ArrayList<>();
      Cpu.Sample cpu0 = Cpu.sample(server.pid());
      long t0 = System.nanoTime();
      for (int c = 0; c < clients; c++) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        done.add(f);
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    for (int i = 0; i < perClient; i++) {
                      send(client, uri, server, inputs, next.getAndIncrement());
                    }
                    f.complete(null);
                  } catch (Throwable e) {
                    f.completeExceptionally(e);
                  }
                });
      }
      for (CompletableFuture<Void> f : done) {
        f.join();
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      Cpu.Sample cpu1 = Cpu.sample(server.pid());
      int n = clients * perClient;
      requests.merge(server.name, (long) n, Long::sum);
      Cpu.Delta used = Cpu.between(cpu0, cpu1);
      return new Round(n / secs, used.nanos() / 1e3 / n, used.source(), used.systemShare());
    }

    private void send(HttpClient client, URI uri, Child server, Pair inputs, int i)
        throws IOException, InterruptedException {
      HttpRequest req =
          HttpRequest.newBuilder(uri)
              .timeout(Duration.ofSeconds(60))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofByteArray(inputs.bodies[i]))
              .build();
      HttpResponse<byte[]> r = client.send(req, HttpResponse.BodyHandlers.ofByteArray());
      if (r.statusCode() != 200) {
        throw new IllegalStateException(
            server.name
                + " answered "
                + r.statusCode()
                + " for request "
                + i
                + ": "
                + new String(r.body(), StandardCharsets.UTF_8));
      }
      JsonNode answer = JSON.readTree(r.body());
      JsonNode outputs = answer.get("outputs");
      if (outputs == null || !outputs.isObject()) {
        throw new IllegalStateException(server.name + " answered without outputs: " + answer);
      }
      if (server.name.equals("node") && !answer.path("receipt").isObject()) {
        throw new IllegalStateException("node answered request " + i + " without a receipt");
      }
      JsonNode first = inputs.outputs.compareAndExchange(i, null, outputs);
      if (first != null) {
        if (!first.equals(outputs)) {
          throw new IllegalStateException(
              "the servers' outputs differ for request "
                  + i
                  + " (MNIST image "
                  + i % images.count()
                  + "): "
                  + first
                  + ", then from "
                  + server.name
                  + " "
                  + outputs);
        }
        compared.incrementAndGet();
      }
    }
  }

  /** CPU time of another process, from /proc. */
  static final class Cpu {
    static final long TICKS_PER_SECOND = clockTicks();

    record Sample(long statNanos, long statSystemNanos, Map<Long, Long> threadNanos) {}

    /**
     * @param systemShare the part of the whole-process count spent in the kernel (from ticks)
     */
    record Delta(long nanos, String source, double systemShare) {}

    static Sample sample(long pid) throws IOException {
      long[] stat = statNanos(pid);
      return new Sample(stat[0] + stat[1], stat[1], threadNanos(pid));
    }

    /**
     * The sum over the threads of their run time in ns, which is exact, unless a thread seen at the
     * start is gone at the end or the coarse whole-process count exceeds it by more than two ticks
     * (a thread that started and ended in between): then the whole-process count, which includes
     * exited threads, in clock ticks.
     */
    static Delta between(Sample a, Sample b) {
      long threads = 0;
      for (Map.Entry<Long, Long> e : b.threadNanos.entrySet()) {
        threads += e.getValue() - a.threadNanos.getOrDefault(e.getKey(), 0L);
      }
      long stat = b.statNanos - a.statNanos;
      boolean lost = !b.threadNanos.keySet().containsAll(a.threadNanos.keySet());
      long tick = TimeUnit.SECONDS.toNanos(1) / TICKS_PER_SECOND;
      double system = stat == 0 ? 0 : (b.statSystemNanos - a.statSystemNanos) / (double) stat;
      if (lost || stat - threads > 2 * tick) {
        return new Delta(stat, "ticks", system);
      }
      return new Delta(threads, "schedstat", system);
    }

    /** utime and stime of the whole process, exited threads included, in ns (tick resolution). */
    static long[] statNanos(long pid) throws IOException {
      String s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // Fields after the command name in parentheses: state is field 3, utime 14, stime 15.
      String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
      long tick = TimeUnit.SECONDS.toNanos(1) / TICKS_PER_SECOND;
      return new long[] {Long.parseLong(f[11]) * tick, Long.parseLong(f[12]) * tick};
    }

    /** Run time in ns of each live thread, from /proc/PID/task/TID/schedstat. */
    static Map<Long, Long> threadNanos(long pid) throws IOException {
      Map<Long, Long> out = new HashMap<>();
      try (DirectoryStream<Path> tasks =
          Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
        for (Path t : tasks) {
          try {
            String s = Files.readString(t.resolve("schedstat"));
            out.put(
                Long.parseLong(t.getFileName().toString()),
                Long.parseLong(s.substring(0, s.indexOf(' '))));
          } catch (NoSuchFileException e) {
            // The thread ended while listing; the whole-process count covers it.
          }
        }
      }
      return out;
    }

    private static long clockTicks() {
      try {
        Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.waitFor() == 0) {
          return Long.parseLong(out);
        }
      } catch (IOException | NumberFormatException e) {
        // fall through to the Linux default
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return 100;
    }
  }

  /**
   * One server as a child JVM with this JVM's class path; its stdout is read for its port, then
   * copied with its stderr (the access log) into NAME.log in the run directory.
   */
  static final class Child {
    final String name;
    private final Process process;
    private final int port;

    private Child(String name, Process process, int port) {
      this.name = name;
      this.process = process;
      this.port = port;
    }

    static Child start(
        String name,
        Path dir,
        String mainClass,
        List<String> args,
        Pattern portLine,
        List<Child> children)
        throws IOException {
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.addAll(CHILD_OPTIONS);
      String jfr = System.getProperty("verity.bench.serve.jfr");
      if (jfr != null) {
        // Deep stacks: a served request nests HTTP, JSON, engine and receipt frames.
        cmd.add("-XX:FlightRecorderOptions:stackdepth=256");
        cmd.add(
            "-XX:StartFlightRecording=filename="
                + Path.of(jfr).toAbsolutePath().resolve(name + ".jfr")
                + ",settings=profile");
      }
      cmd.addAll(List.of("-cp", absoluteClassPath(), mainClass));
      cmd.addAll(args);
      Path log = dir.resolve(name + ".log");
      ProcessBuilder pb =
          new ProcessBuilder(cmd)
              .directory(dir.toFile())
              .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
      // Default node settings: none from the environment.
      pb.environment().keySet().removeIf(k -> k.startsWith("VERITY_NODE_"));
      Process p;
      synchronized (children) {
        p = pb.start();
        children.add(new Child(name, p, -1));
      }
      CompletableFuture<Integer> port = new CompletableFuture<>();
      Thread.ofPlatform()
          .daemon()
          .name("serve-bench-" + name + "-stdout")
          .start(
              () -> {
                try (BufferedReader r =
                        new BufferedReader(
                            new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                    PrintWriter copy =
                        new PrintWriter(
                            Files.newBufferedWriter(
                                dir.resolve(name + ".stdout"), StandardCharsets.UTF_8),
                            true)) {
                  for (String line; (line = r.readLine()) != null; ) {
                    copy.println(line);
                    Matcher m = portLine.matcher(line);
                    if (!port.isDone() && m.matches()) {
                      port.complete(Integer.parseInt(m.group(1)));
                    }
                  }
                } catch (IOException e) {
                  port.completeExceptionally(new UncheckedIOException(e));
                }
                port.completeExceptionally(
                    new IOException(name + " server ended its output without printing its port"));
              });
      int bound;
      try {
        bound = port.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      } catch (Exception e) {
        p.destroyForcibly();
        throw new IOException(
            name + " server did not start (" + e + "); the end of " + log + ":\n" + tail(log, 30),
            e);
      }
      Child c = new Child(name, p, bound);
      synchronized (children) {
        children.removeIf(x -> x.process == p);
        children.add(c);
      }
      return c;
    }

    /** This JVM's class path with absolute entries: the child runs in the run directory. */
    private static String absoluteClassPath() {
      List<String> out = new ArrayList<>();
      for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
        if (!e.isBlank()) {
          out.add(Path.of(e).toAbsolutePath().toString());
        }
      }
      return String.join(java.io.File.pathSeparator, out);
    }

    long pid() {
      return process.pid();
    }

    int port() {
      return port;
    }

    URI url() {
      return URI.create("http://127.0.0.1:" + port);
    }

    /** SIGTERM (clean stop, JFR written), SIGKILL if that takes over 20 s. */
    void stop() {
      if (!process.isAlive()) {
        return;
      }
      process.destroy();
      try {
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          process.waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }

    private static String tail(Path log, int n) {
      try {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
      } catch (IOException e) {
        return "(no log: " + e.getMessage() + ")";
      }
    }
  }
}
