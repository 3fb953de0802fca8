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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
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
 * verity bench engine [--models mnist-7,light_resnet50,light_squeezenet] [--seconds 5]
 *                     [--warmup 1] [--threads N]
 * </pre>
 */
public final class EngineBench {
  private static final List<String> DEFAULT_MODELS =
      List.of("mnist-7", "light_resnet50", "light_squeezenet");
  private static final int MIN_TIMED_RUNS = 3;
  private static final int DISTINCT_INPUTS = 8;

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

  record Measurement(double imagesPerSecond, long runs, double seconds) {}

  public static void main(String[] args) throws Exception {
    List<String> models = DEFAULT_MODELS;
    double seconds = 5;
    double warmup = 1;
    int cores = Runtime.getRuntime().availableProcessors();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--models" -> models = Arrays.asList(value(args, ++i, "--models").split(","));
        case "--seconds" -> seconds = Double.parseDouble(value(args, ++i, "--seconds"));
        case "--warmup" -> warmup = Double.parseDouble(value(args, ++i, "--warmup"));
        case "--threads" -> cores = Integer.parseInt(value(args, ++i, "--threads"));
        case "-h", "--help" -> {
          System.out.println(
              "usage: verity bench engine [--models a,b,c] [--seconds N] [--warmup N]"
                  + " [--threads N]\n  models: names under the shared models dir ("
                  + String.join(", ", DEFAULT_MODELS)
                  + ") or .onnx paths");
          return;
        }
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    if (seconds <= 0 || warmup < 0 || cores < 1) {
      throw new IllegalArgumentException("--seconds must be > 0, --warmup >= 0, --threads >= 1");
    }
    Path shared = sharedDir();
    System.out.printf(
        Locale.ROOT,
        "engine bench: %d cores used for the all-cores rows, %.1f s timed + %.1f s warmup per row,"
            + " shared dir %s%n",
        cores,
        seconds,
        warmup,
        shared);
    System.out.println("java " + Runtime.version() + " on " + System.getProperty("os.arch"));
    OrtEngine ort1 = new OrtEngine(OrtConfig.DEFAULT);
    System.out.println("ort    " + ort1.info());
    Optional<InferenceEngine> strictProbe = StrictEngines.create(1);
    System.out.println(
        "strict " + strictProbe.map(e -> e.info().toString()).orElse("(not on the class path)"));
    System.out.println();

    boolean allIdentical = true;
    List<String> rows = new ArrayList<>();
    for (String name : models) {
      Path file = modelPath(shared, name);
      List<Map<String, Tensor>> inputs = inputs(shared, name, file, ort1);
      Map<String, Measurement> results = new LinkedHashMap<>();
      Map<String, List<Tensor>> outputs = new LinkedHashMap<>();
      for (Mode mode : Mode.values()) {
        int threads = mode == Mode.ONE_THREAD ? 1 : cores;
        InferenceEngine ortEngine =
            new OrtEngine(OrtConfig.DEFAULT.withIntraOpThreads(mode == Mode.INTRA_OP ? cores : 1));
        results.put(
            "ort " + mode,
            measure(
                ortEngine, file, inputs, mode, threads, seconds, warmup, outputs, "ort " + mode));
        Optional<InferenceEngine> strict = StrictEngines.create(mode == Mode.INTRA_OP ? cores : 1);
        if (strict.isPresent()) {
          results.put(
              "strict " + mode,
              measure(
                  strict.get(),
                  file,
                  inputs,
                  mode,
                  threads,
                  seconds,
                  warmup,
                  outputs,
                  "strict " + mode));
        }
      }
      for (Mode mode : Mode.values()) {
        int threads = mode == Mode.ONE_THREAD ? 1 : cores;
        Measurement o = results.get("ort " + mode);
        Measurement s = results.get("strict " + mode);
        rows.add(
            String.format(
                Locale.ROOT,
                "| %-17s | %-32s | %12s | %12.2f | %10s |",
                name,
                mode.label(threads),
                s == null ? "-" : String.format(Locale.ROOT, "%.2f", s.imagesPerSecond()),
                o.imagesPerSecond(),
                s == null
                    ? "-"
                    : String.format(
                        Locale.ROOT, "%.3f", s.imagesPerSecond() / o.imagesPerSecond())));
      }
      Measurement bestOrt = best(results, "ort ");
      Measurement bestStrict = best(results, "strict ");
      if (bestStrict != null) {
        rows.add(
            String.format(
                Locale.ROOT,
                "| %-17s | %-32s | %12.2f | %12.2f | %10.3f |",
                name,
                "best use of " + cores + " cores",
                bestStrict.imagesPerSecond(),
                bestOrt.imagesPerSecond(),
                bestStrict.imagesPerSecond() / bestOrt.imagesPerSecond()));
      }
      allIdentical &= reportAgreement(name, inputs.size(), outputs);
    }
    System.out.println();
    System.out.println(
        "| model             | cores used                       | strict img/s |    ort img/s |"
            + " strict/ort |");
    System.out.println(
        "|-------------------|----------------------------------|--------------|--------------|"
            + "------------|");
    rows.forEach(System.out::println);
    if (!allIdentical) {
      System.out.println("FAIL: strict outputs differ between thread settings");
      System.exit(1);
    }
  }

  private static Measurement best(Map<String, Measurement> results, String prefix) {
    Measurement best = null;
    for (Map.Entry<String, Measurement> e : results.entrySet()) {
      if (e.getKey().startsWith(prefix)
          && !e.getKey().endsWith(Mode.ONE_THREAD.name())
          && (best == null || e.getValue().imagesPerSecond() > best.imagesPerSecond())) {
        best = e.getValue();
      }
    }
    return best;
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
      System.out.printf(
          "  %s: strict outputs on %d inputs %s across 1 thread, intra-op threads and concurrent"
              + " runs%n",
          model, inputCount, identical ? "bit-identical" : "NOT bit-identical");
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

  /**
   * Warms up, then runs for {@code seconds} (and at least {@link #MIN_TIMED_RUNS} runs). Records
   * the output of every distinct input under {@code key} for the bit-identity check.
   */
  private static Measurement measure(
      InferenceEngine engine,
      Path file,
      List<Map<String, Tensor>> inputs,
      Mode mode,
      int threads,
      double seconds,
      double warmup,
      Map<String, List<Tensor>> outputs,
      String key)
      throws Exception {
    EngineLimits limits = new EngineLimits(1L << 30, 8L << 30, java.time.Duration.ofMinutes(10));
    try (LoadedModel model = engine.load(file, limits)) {
      String outName = model.outputs().getFirst().name();
      List<Tensor> seen = new ArrayList<>();
      for (Map<String, Tensor> in : inputs) {
        seen.add(model.run(in, RunOptions.DEFAULT).outputs().get(outName));
      }
      outputs.put(key, seen);
      int workers = mode == Mode.CONCURRENT ? threads : 1;
      runFor(model, inputs, workers, warmup, 1);
      Measurement m = runFor(model, inputs, workers, seconds, MIN_TIMED_RUNS);
      System.out.printf(
          Locale.ROOT,
          "  %-17s %-8s %-34s %9.2f img/s (%d runs in %.1f s)%n",
          file.getFileName(),
          engine.info().id(),
          mode.label(threads),
          m.imagesPerSecond(),
          m.runs(),
          m.seconds());
      return m;
    }
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
      long n = runs.get();
      return new Measurement(n / elapsed, n, elapsed);
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

  /** Creates the strict engine with a given thread count. */
  static final class StrictEngines {
    private StrictEngines() {}

    static Optional<InferenceEngine> create(int threads) {
      try {
        Class<?> c = Class.forName("dev.verity.engine.strict.StrictEngine");
        return Optional.of((InferenceEngine) c.getConstructor(int.class).newInstance(threads));
      } catch (ReflectiveOperationException e) {
        return Optional.empty();
      }
    }
  }
}
