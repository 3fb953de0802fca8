package dev.verity.bench;

import dev.verity.engine.EngineLimits;
import dev.verity.engine.InferenceEngine;
import dev.verity.engine.LoadedModel;
import dev.verity.engine.RunOptions;
import dev.verity.engine.Tensor;
import dev.verity.engine.TensorSpec;
import dev.verity.engine.dataset.MnistIdx;
import dev.verity.engine.ort.OrtConfig;
import dev.verity.engine.ort.OrtEngine;
import dev.verity.engine.strict.StrictConfig;
import dev.verity.engine.strict.StrictEngine;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Strict engine against ONNX Runtime on real models: images per second at one thread and at all
 * cores, both as intra-op threads (one image using every core) and as independent images run
 * concurrently on single-threaded engines (throughput). Prints the strict/ORT ratio for each and
 * checks that the strict engine's outputs are bit-identical across all its thread settings.
 *
 * <pre>
 * verity bench engine [--models mnist-7,light_resnet50,light_squeezenet] [--seconds 3]
 *                     [--warmup 1] [--rounds 3] [--threads N]
 * </pre>
 */
public final class EngineBench {
  private static final List<String> DEFAULT_MODELS =
      List.of("mnist-7", "light_resnet50", "light_squeezenet");
  private static final int MIN_TIMED_RUNS = 3;
  private static final int DISTINCT_INPUTS = 8;
  private static final int SCALAR_CHECKS = 2;

  private EngineBench() {}

  /** How a configuration uses the cores. */
  enum Mode {
    ONE_THREAD("1 thread"),
    INTRA_OP("%d threads, one image"),
    CONCURRENT("%d images at once, 1 thread each");

    final String label;

    Mode(String label) {
      this.label = label;
    }

    String label(int threads) {
      return label.formatted(threads);
    }
  }

  /**
   * Wall-clock rate and the rate per CPU-second the whole process spent (all threads, native ORT
   * threads and GC included). The latter is far less sensitive to other load on a shared host.
   */
  record Measurement(
      double imagesPerSecond, double imagesPerCpuSecond, long runs, double seconds) {}

  public static void main(String[] args) throws Exception {
    List<String> models = DEFAULT_MODELS;
    double seconds = 3;
    double warmup = 1;
    int rounds = 3;
    int cores = Runtime.getRuntime().availableProcessors();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--models" -> models = Arrays.asList(value(args, ++i, "--models").split(","));
        case "--seconds" -> seconds = Double.parseDouble(value(args, ++i, "--seconds"));
        case "--warmup" -> warmup = Double.parseDouble(value(args, ++i, "--warmup"));
        case "--rounds" -> rounds = Integer.parseInt(value(args, ++i, "--rounds"));
        case "--threads" -> cores = Integer.parseInt(value(args, ++i, "--threads"));
        case "-h", "--help" -> {
          System.out.println(
              "usage: verity bench engine [--models a,b,c] [--seconds N] [--warmup N]"
                  + " [--rounds N] [--threads N]\n  models: names under the shared models dir ("
                  + String.join(", ", DEFAULT_MODELS)
                  + ") or .onnx paths");
          return;
        }
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    if (seconds <= 0 || warmup < 0 || cores < 1 || rounds < 1) {
      throw new IllegalArgumentException(
          "--seconds must be > 0, --warmup >= 0, --rounds and --threads >= 1");
    }
    Path shared = sharedDir();
    System.out.printf(
        Locale.ROOT,
        "engine bench: %d cores used for the all-cores rows; per configuration %.1f s warmup, then"
            + " %d rounds of %.1f s interleaved across configurations; shared dir %s%n",
        cores,
        warmup,
        rounds,
        seconds,
        shared);
    System.out.println("java " + Runtime.version() + " on " + System.getProperty("os.arch"));
    OrtEngine ort1 = new OrtEngine(OrtConfig.DEFAULT);
    System.out.println("ort    " + ort1.info());
    System.out.println("strict " + strict(1).info());
    System.out.println();

    boolean allIdentical = true;
    List<String> rows = new ArrayList<>();
    for (String name : models) {
      Path file = modelPath(shared, name);
      List<Map<String, Tensor>> inputs = inputs(shared, name, file, ort1);
      List<Contestant> contestants = new ArrayList<>();
      try {
        for (Mode mode : Mode.values()) {
          int engineThreads = mode == Mode.INTRA_OP ? cores : 1;
          int workers = mode == Mode.CONCURRENT ? cores : 1;
          contestants.add(
              Contestant.load(
                  "ort",
                  new OrtEngine(OrtConfig.DEFAULT.withIntraOpThreads(engineThreads)),
                  mode,
                  workers,
                  file,
                  inputs));
          contestants.add(
              Contestant.load("strict", strict(engineThreads), mode, workers, file, inputs));
        }
        for (Contestant c : contestants) {
          runFor(c.model, inputs, c.workers, warmup, 1);
        }
        // Rounds interleave the engines so a burst of load on a shared host hits both alike.
        for (int round = 0; round < rounds; round++) {
          for (Contestant c : contestants) {
            Measurement m = runFor(c.model, inputs, c.workers, seconds, MIN_TIMED_RUNS);
            c.rates.add(m.imagesPerSecond());
            c.cpuRates.add(m.imagesPerCpuSecond());
          }
        }
      } finally {
        contestants.forEach(c -> c.model.close());
      }
      Map<String, Contestant> byKey = new LinkedHashMap<>();
      Map<String, List<Tensor>> outputs = new LinkedHashMap<>();
      for (Contestant c : contestants) {
        byKey.put(c.key(), c);
        outputs.put(c.key(), c.outputs);
        System.out.printf(
            Locale.ROOT,
            "  %-17s %-7s %-34s median %9.2f img/s, %9.2f img/CPU-s; rounds %s%n",
            name,
            c.engineId,
            c.mode.label(cores),
            c.median(),
            c.cpuMedian(),
            c.rates.stream().map(r -> String.format(Locale.ROOT, "%.2f", r)).toList());
      }
      for (Mode mode : Mode.values()) {
        rows.add(
            row(
                name,
                mode.label(mode == Mode.ONE_THREAD ? 1 : cores),
                byKey.get("strict " + mode),
                byKey.get("ort " + mode)));
      }
      rows.add(
          row(
              name,
              "best of the two " + cores + "-core rows",
              faster(byKey.get("strict " + Mode.INTRA_OP), byKey.get("strict " + Mode.CONCURRENT)),
              faster(byKey.get("ort " + Mode.INTRA_OP), byKey.get("ort " + Mode.CONCURRENT))));
      outputs.put("strict scalar", scalarOutputs(file, inputs.subList(0, SCALAR_CHECKS)));
      allIdentical &= reportAgreement(name, inputs.size(), outputs);
    }
    System.out.println();
    System.out.println(
        "| model             | cores used                       | strict img/s |    ort img/s |"
            + " strict/ort | strict img/CPU-s | ort img/CPU-s | strict/ort per CPU-s |");
    System.out.println(
        "|-------------------|----------------------------------|--------------|--------------|"
            + "------------|------------------|---------------|----------------------|");
    rows.forEach(System.out::println);
    System.out.printf(
        Locale.ROOT,
        "(medians of %d rounds of %.1f s; img/CPU-s counts CPU time of the whole process, so it is"
            + " robust to other load on the host; strict = vectorized path; ort = %s)%n",
        rounds,
        seconds,
        ort1.info().config().get("ort.graph_optimization_level"));
    if (!allIdentical) {
      System.out.println("FAIL: strict outputs differ between thread settings");
      System.exit(1);
    }
  }

  private static String row(String model, String label, Contestant strict, Contestant ort) {
    return String.format(
        Locale.ROOT,
        "| %-17s | %-32s | %12.2f | %12.2f | %10.3f | %16.2f | %13.2f | %20.3f |",
        model,
        label,
        strict.median(),
        ort.median(),
        strict.median() / ort.median(),
        strict.cpuMedian(),
        ort.cpuMedian(),
        strict.cpuMedian() / ort.cpuMedian());
  }

  private static Contestant faster(Contestant a, Contestant b) {
    return a.median() >= b.median() ? a : b;
  }

  /** One engine configuration under test, with its loaded model and the rates it achieved. */
  private static final class Contestant {
    final String engineId;
    final Mode mode;
    final int workers;
    final LoadedModel model;
    final List<Tensor> outputs = new ArrayList<>();
    final List<Double> rates = new ArrayList<>();
    final List<Double> cpuRates = new ArrayList<>();

    private Contestant(String engineId, Mode mode, int workers, LoadedModel model) {
      this.engineId = engineId;
      this.mode = mode;
      this.workers = workers;
      this.model = model;
    }

    /** Loads the model and records its output on every distinct input (untimed). */
    static Contestant load(
        String id,
        InferenceEngine engine,
        Mode mode,
        int workers,
        Path file,
        List<Map<String, Tensor>> inputs)
        throws Exception {
      EngineLimits limits = new EngineLimits(1L << 30, 8L << 30, java.time.Duration.ofMinutes(10));
      Contestant c = new Contestant(id, mode, workers, engine.load(file, limits));
      String outName = c.model.outputs().getFirst().name();
      for (Map<String, Tensor> in : inputs) {
        c.outputs.add(c.model.run(in, RunOptions.DEFAULT).outputs().get(outName));
      }
      return c;
    }

    String key() {
      return engineId + " " + mode;
    }

    double median() {
      return median(rates);
    }

    double cpuMedian() {
      return median(cpuRates);
    }

    private static double median(List<Double> values) {
      List<Double> sorted = values.stream().sorted().toList();
      int n = sorted.size();
      return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
  }

  /**
   * Prints whether strict outputs are bit-identical across its settings and how far ORT is from
   * strict; returns false if strict disagrees with itself.
   */
  private static boolean reportAgreement(
      String model, int inputCount, Map<String, List<Tensor>> outputs) {
    List<Tensor> ref = outputs.get("strict " + Mode.ONE_THREAD);
    boolean identical = true;
    if (ref != null) {
      for (Mode mode : Mode.values()) {
        List<Tensor> other = outputs.get("strict " + mode);
        for (int i = 0; i < inputCount; i++) {
          if (!ref.get(i).equals(other.get(i))) {
            identical = false;
            System.out.printf(
                "  %s: strict output for input %d differs between 1 thread and %s%n",
                model, i, mode);
          }
        }
      }
      List<Tensor> scalar = outputs.get("strict scalar");
      for (int i = 0; i < scalar.size(); i++) {
        if (!ref.get(i).equals(scalar.get(i))) {
          identical = false;
          System.out.printf(
              "  %s: strict output for input %d differs between vectorized and scalar paths%n",
              model, i);
        }
      }
      System.out.printf(
          "  %s: strict outputs on %d inputs %s across 1 thread, intra-op threads and concurrent"
              + " runs (and on %d of them, the scalar path)%n",
          model, inputCount, identical ? "bit-identical" : "NOT bit-identical", scalar.size());
    }
    List<Tensor> ort1 = outputs.get("ort " + Mode.ONE_THREAD);
    List<Tensor> ortN = outputs.get("ort " + Mode.INTRA_OP);
    System.out.printf(
        Locale.ROOT,
        "  %s: ort 1 vs N intra-op threads: max |diff| %.3g%s%n",
        model,
        maxAbsDiff(ort1, ortN),
        ort1.equals(ortN) ? " (bit-identical)" : "");
    if (ref != null) {
      System.out.printf(
          Locale.ROOT, "  %s: strict vs ort max |diff| %.3g%n", model, maxAbsDiff(ref, ort1));
    }
    return identical;
  }

  /** Outputs of the strict engine's scalar reference path (untimed), for the identity check. */
  private static List<Tensor> scalarOutputs(Path file, List<Map<String, Tensor>> inputs)
      throws Exception {
    List<Tensor> out = new ArrayList<>();
    try (LoadedModel model =
        new StrictEngine(new StrictConfig(1, false)).load(file, EngineLimits.DEFAULT)) {
      String outName = model.outputs().getFirst().name();
      for (Map<String, Tensor> in : inputs) {
        out.add(model.run(in, RunOptions.DEFAULT).outputs().get(outName));
      }
    }
    return out;
  }

  private static double maxAbsDiff(List<Tensor> a, List<Tensor> b) {
    double max = 0;
    for (int i = 0; i < a.size(); i++) {
      float[] x = a.get(i).toFloats();
      float[] y = b.get(i).toFloats();
      for (int j = 0; j < x.length; j++) {
        max = Math.max(max, Math.abs((double) x[j] - y[j]));
      }
    }
    return max;
  }

  private static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }

  private static Measurement runFor(
      LoadedModel model, List<Map<String, Tensor>> inputs, int workers, double seconds, int minRuns)
      throws Exception {
    AtomicLong runs = new AtomicLong();
    AtomicBoolean stop = new AtomicBoolean();
    long budget = (long) (seconds * 1e9);
    CountDownLatch start = new CountDownLatch(1);
    try (ExecutorService pool = Executors.newFixedThreadPool(workers)) {
      List<Future<?>> futures = new ArrayList<>();
      for (int w = 0; w < workers; w++) {
        int offset = w;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  int i = offset;
                  while (!stop.get()) {
                    model.run(inputs.get(i++ % inputs.size()), RunOptions.DEFAULT);
                    runs.incrementAndGet();
                  }
                  return null;
                }));
      }
      long cpu0 = processCpuNanos();
      long t0 = System.nanoTime();
      start.countDown();
      while (System.nanoTime() - t0 < budget || runs.get() < minRuns) {
        Thread.sleep(5);
      }
      stop.set(true);
      for (Future<?> f : futures) {
        f.get();
      }
      double elapsed = (System.nanoTime() - t0) / 1e9;
      double cpu = (processCpuNanos() - cpu0) / 1e9;
      long n = runs.get();
      return new Measurement(n / elapsed, cpu > 0 ? n / cpu : Double.NaN, n, elapsed);
    }
  }

  /** Real digits for mnist-7; seeded pseudo-random pixels in 0..255 for the other models. */
  private static List<Map<String, Tensor>> inputs(
      Path shared, String name, Path file, OrtEngine describer) throws Exception {
    List<Map<String, Tensor>> list = new ArrayList<>();
    List<TensorSpec> specs;
    try (LoadedModel m = describer.load(file, EngineLimits.DEFAULT)) {
      specs = m.inputs();
    }
    if (specs.size() != 1) {
      throw new IllegalArgumentException(name + ": the bench feeds models with exactly one input");
    }
    TensorSpec spec = specs.getFirst();
    long[] shape = spec.dims().stream().mapToLong(d -> d < 0 ? 1 : d).toArray();
    if (name.startsWith("mnist")) {
      MnistIdx.Images images =
          MnistIdx.readImages(shared.resolve("datasets/mnist/t10k-images-idx3-ubyte.gz"));
      for (int i = 0; i < DISTINCT_INPUTS; i++) {
        list.add(Map.of(spec.name(), images.tensor(i)));
      }
      return list;
    }
    Random rnd = new Random(20_261_125L);
    int n = (int) Tensor.elementCount(shape);
    for (int i = 0; i < DISTINCT_INPUTS; i++) {
      float[] x = new float[n];
      for (int j = 0; j < n; j++) {
        x[j] = rnd.nextInt(256);
      }
      list.add(Map.of(spec.name(), Tensor.ofFloats(shape, x)));
    }
    return list;
  }

  private static Path modelPath(Path shared, String name) {
    Path p;
    if (name.endsWith(".onnx")) {
      p = Path.of(name);
    } else if (name.startsWith("light_")) {
      p = shared.resolve("models/onnx-light/" + name + ".onnx");
    } else {
      p = shared.resolve("models/mnist/" + name + ".onnx");
    }
    if (!Files.isRegularFile(p)) {
      throw new IllegalArgumentException("model " + name + " not found at " + p);
    }
    return p;
  }

  /** System property verity.shared, env VERITY_SHARED, else ../shared beside the repo root. */
  static Path sharedDir() {
    String prop = System.getProperty("verity.shared");
    if (prop != null) {
      return Path.of(prop);
    }
    String env = System.getenv("VERITY_SHARED");
    if (env != null) {
      return Path.of(env);
    }
    List<Path> starts = new ArrayList<>();
    starts.add(Path.of("").toAbsolutePath());
    try {
      starts.add(
          Path.of(EngineBench.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
    } catch (Exception ignored) {
      // No code source (unusual class loader): the working directory is the only start.
    }
    for (Path start : starts) {
      for (Path p = start; p != null; p = p.getParent()) {
        Path candidate = p.resolveSibling("shared");
        if (Files.isRegularFile(p.resolve("verity"))
            && Files.isDirectory(candidate.resolve("models"))) {
          return candidate;
        }
      }
    }
    throw new IllegalStateException(
        "cannot find the shared models: set -Dverity.shared or VERITY_SHARED");
  }

  private static String value(String[] args, int i, String flag) {
    if (i >= args.length) {
      throw new IllegalArgumentException(flag + " needs a value");
    }
    return args[i];
  }

  /** The strict engine on its vectorized path with {@code threads} workers. */
  private static InferenceEngine strict(int threads) {
    return new StrictEngine(new StrictConfig(threads, true));
  }
}
