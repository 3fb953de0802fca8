package dev.verity.bench;

import dev.verity.core.Digest;
import dev.verity.engine.EngineLimits;
import dev.verity.engine.InferenceEngine;
import dev.verity.engine.InferenceResult;
import dev.verity.engine.LoadedModel;
import dev.verity.engine.NumericMode;
import dev.verity.engine.RunOptions;
import dev.verity.engine.Tensor;
import dev.verity.engine.TensorEncoding;
import dev.verity.engine.TensorSpec;
import dev.verity.engine.strict.StrictEngine;
import dev.verity.log.HashSource;
import dev.verity.log.MerkleTree;
import dev.verity.log.TransparencyLog;
import dev.verity.log.bundle.BundleJson;
import dev.verity.log.bundle.ReceiptBundle;
import dev.verity.log.bundle.ReceiptLog;
import dev.verity.log.note.NoteSigner;
import dev.verity.log.note.VerifierKey;
import dev.verity.log.verify.BundleVerifier;
import dev.verity.log.verify.VerifyOptions;
import dev.verity.receipt.Receipt;
import dev.verity.receipt.ReceiptDomain;
import dev.verity.receipt.ReceiptKey;
import dev.verity.receipt.SignedReceipt;
import dev.verity.receipt.VerificationPolicy;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * {@code verity bench log}: durable appends per second with group commit against one fsync per
 * append (same code, same disk, same run), proof sizes, receipt sign / verify cost, and the
 * overhead receipts and logging add to a bare MNIST inference.
 *
 * <p>Arguments: {@code [dir] [seconds] [writers]}; dir defaults to ./target/log-bench (it must be
 * on a real disk: fsync on tmpfs measures nothing).
 */
public final class LogBench {
  private LogBench() {}

  public static void main(String[] args) throws Exception {
    Path base = Path.of(args.length > 0 ? args[0] : "target/log-bench");
    double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 5;
    int writers = args.length > 2 ? Integer.parseInt(args[2]) : 256;
    System.out.printf(
        "verity bench log: %d CPUs, %d concurrent appenders, %.0f s per mode, dir %s%n",
        Runtime.getRuntime().availableProcessors(), writers, seconds, base.toAbsolutePath());
    NoteSigner signer =
        NoteSigner.generate("bench.verity.local/log", VerifierKey.ED25519, new SecureRandom());
    ReceiptKey key = ReceiptKey.generate(new SecureRandom());
    byte[] entry = receipt(key, 0).canonicalBytes().toByteArray();
    System.out.printf("entry size: %d bytes (one canonical signed receipt)%n%n", entry.length);

    Result group =
        appendRun(
            base.resolve("group"),
            TransparencyLog.Options.defaults(signer),
            entry,
            seconds,
            writers);
    Result single =
        appendRun(
            base.resolve("single"),
            TransparencyLog.Options.defaults(signer).oneFsyncPerAppend(),
            entry,
            seconds,
            writers);
    System.out.printf(
        "durable appends/s, group commit       : %,10.0f  (%,d appends, %,d fsyncs, %.1f entries per fsync)%n",
        group.perSecond(), group.appends, group.commits, (double) group.appends / group.commits);
    System.out.printf(
        "durable appends/s, one fsync per append: %,10.0f  (%,d appends, %.2f ms per fsync)%n",
        single.perSecond(), single.appends, 1000.0 * single.seconds / Math.max(1, single.commits));
    System.out.printf(
        "ratio group / one-per-append           : %10.1fx   (goal: >= 10,000 appends/s)%n%n",
        group.perSecond() / single.perSecond());

    proofSizes();
    receiptCosts(key, signer, base.resolve("verify"));
    mnistOverhead(key, signer, base.resolve("mnist"), seconds);
    deleteTree(base);
  }

  /**
   * What receipts and logging add to a bare MNIST inference on the strict engine: the same request
   * loop with and without (digest inputs and outputs, build and sign the receipt, durable append),
   * single-threaded for latency and with concurrent requests for throughput.
   */
  static void mnistOverhead(ReceiptKey key, NoteSigner signer, Path dir, double seconds)
      throws Exception {
    Optional<Path> model = sharedFile("models/mnist/mnist-7.onnx");
    if (model.isEmpty()) {
      System.out.println(
          "\nMNIST overhead: skipped (models/mnist/mnist-7.onnx not found; set -Dverity.shared)");
      return;
    }
    InferenceEngine engine = new StrictEngine();
    deleteTree(dir);
    try (LoadedModel m = engine.load(model.get(), EngineLimits.DEFAULT);
        ReceiptLog log = ReceiptLog.open(dir, TransparencyLog.Options.defaults(signer))) {
      TensorSpec spec = m.inputs().getFirst();
      long[] shape = spec.dims().stream().mapToLong(d -> d < 0 ? 1 : d).toArray();
      float[] pixels = new float[(int) Tensor.elementCount(shape)];
      for (int i = 0; i < pixels.length; i++) {
        pixels[i] = (i * 37 % 255) / 255f;
      }
      Map<String, Tensor> input = Map.of(spec.name(), Tensor.ofFloats(shape, pixels));
      AtomicLong ids = new AtomicLong();
      Callable<Object> bare = () -> m.run(input, RunOptions.DEFAULT);
      Callable<Object> full =
          () -> {
            InferenceResult r = m.run(input, RunOptions.DEFAULT);
            Receipt receipt =
                Receipt.builder()
                    .model(Digest.of(new byte[] {1}))
                    .engine(engine.info())
                    .input(TensorEncoding.digest(input))
                    .output(TensorEncoding.digest(r.outputs()))
                    .node(key.address())
                    .requestId("mnist-" + ids.incrementAndGet())
                    .timeMillis(System.currentTimeMillis())
                    .build();
            return log.append(SignedReceipt.sign(receipt, ReceiptDomain.DEVNET, key));
          };
      for (int i = 0; i < 300; i++) {
        bare.call();
        full.call();
      }
      double bareLat = latencyMicros(bare, seconds / 2);
      double fullLat = latencyMicros(full, seconds / 2);
      // Enough concurrent requests that group commit hides the fsync wait and the CPU is the limit.
      int threads = 64;
      double bareTput = throughput(bare, threads, seconds);
      double fullTput = throughput(full, threads, seconds);
      System.out.printf(
          "%nMNIST (strict engine, %s) with and without receipt + durable log append:%n",
          model.get().getFileName());
      System.out.printf(
          "  1 request at a time : bare %8.0f us, with receipt %8.0f us  (+%.0f%%; includes waiting for one fsync)%n",
          bareLat, fullLat, 100 * (fullLat / bareLat - 1));
      System.out.printf(
          "  %d concurrent     : bare %8.0f req/s, with receipt %6.0f req/s  (throughput overhead %.1f%%; goal <= 5%%)%n",
          threads, bareTput, fullTput, 100 * (1 - fullTput / bareTput));
    }
  }

  static double latencyMicros(Callable<Object> task, double seconds) throws Exception {
    long n = 0;
    long start = System.nanoTime();
    long end = start + (long) (seconds * 1e9);
    while (System.nanoTime() < end) {
      task.call();
      n++;
    }
    return (System.nanoTime() - start) / 1e3 / n;
  }

  static double throughput(Callable<Object> task, int threads, double seconds) throws Exception {
    AtomicLong done = new AtomicLong();
    long deadline = System.nanoTime() + (long) (seconds * 1e9);
    long start = System.nanoTime();
    List<Thread> ts = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      ts.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      while (System.nanoTime() < deadline) {
                        task.call();
                        done.incrementAndGet();
                      }
                    } catch (Exception e) {
                      throw new IllegalStateException(e);
                    }
                  }));
    }
    for (Thread t : ts) {
      t.join();
    }
    return done.get() / ((System.nanoTime() - start) / 1e9);
  }

  /** A file under the shared directory: -Dverity.shared, else ../shared next to the repository. */
  static Optional<Path> sharedFile(String rel) {
    String prop = System.getProperty("verity.shared");
    if (prop != null) {
      Path p = Path.of(prop).resolve(rel);
      return Files.exists(p) ? Optional.of(p) : Optional.empty();
    }
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      Path p = d.resolveSibling("shared").resolve(rel);
      if (Files.exists(d.resolve("pom.xml")) && Files.exists(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  record Result(long appends, long commits, double seconds) {
    double perSecond() {
      return appends / seconds;
    }
  }

  static Result appendRun(
      Path dir, TransparencyLog.Options options, byte[] entry, double seconds, int writers)
      throws Exception {
    deleteTree(dir);
    AtomicLong done = new AtomicLong();
    long commitsBefore;
    long start;
    double elapsed;
    long commits;
    try (TransparencyLog log = TransparencyLog.open(dir, options)) {
      commitsBefore = log.commitCount();
      long deadline = System.nanoTime() + (long) (seconds * 1e9);
      start = System.nanoTime();
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < writers; i++) {
        threads.add(
            Thread.ofVirtual()
                .start(
                    () -> {
                      while (System.nanoTime() < deadline) {
                        log.append(entry).join();
                        done.incrementAndGet();
                      }
                    }));
      }
      for (Thread t : threads) {
        t.join();
      }
      elapsed = (System.nanoTime() - start) / 1e9;
      commits = log.commitCount() - commitsBefore;
      if (log.size() != done.get()) {
        throw new IllegalStateException(
            "log size " + log.size() + " != acknowledged " + done.get());
      }
    }
    return new Result(done.get(), commits, elapsed);
  }

  /** Proof sizes depend only on sizes, so a virtual tree of synthetic hashes suffices. */
  static void proofSizes() {
    HashSource virtual =
        (level, index) ->
            Digest.of(ByteBuffer.allocate(12).putInt(level).putLong(index).array())
                .value()
                .toByteArray();
    MerkleTree t = new MerkleTree(virtual);
    System.out.println(
        "tree size        inclusion proof (worst / last leaf)   consistency n/2 -> n");
    for (long n : new long[] {10, 1_000, 1_000_000, 1_000_000_000L, 1L << 40}) {
      int worst = 0;
      for (long i : new long[] {0, n / 2, n - 2, n - 1}) {
        worst = Math.max(worst, t.inclusionProof(Math.max(0, i), n).path().size());
      }
      int last = t.inclusionProof(n - 1, n).path().size();
      int cons = t.consistencyProof(n / 2 + 1, n).path().size();
      System.out.printf(
          "%,16d  %2d hashes = %4d B / %2d hashes      %2d hashes = %4d B%n",
          n, worst, 32 * worst, last, cons, 32 * cons);
    }
    System.out.println();
  }

  static void receiptCosts(ReceiptKey key, NoteSigner signer, Path dir) throws Exception {
    int n = 2000;
    List<SignedReceipt> receipts = new ArrayList<>(n);
    for (int i = 0; i < 3000; i++) {
      receipt(key, i).verify();
    }
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      receipts.add(receipt(key, i));
    }
    double signUs = (System.nanoTime() - t0) / 1e3 / n;
    for (int i = 0; i < 200; i++) {
      receipts.get(i).verify();
    }
    t0 = System.nanoTime();
    for (SignedReceipt r : receipts) {
      r.verify();
    }
    double verifyUs = (System.nanoTime() - t0) / 1e3 / n;

    deleteTree(dir);
    List<ReceiptBundle> bundles = new ArrayList<>();
    try (ReceiptLog log = ReceiptLog.open(dir, TransparencyLog.Options.defaults(signer))) {
      List<java.util.concurrent.CompletableFuture<ReceiptBundle>> fs = new ArrayList<>();
      for (SignedReceipt r : receipts) {
        fs.add(log.appendAsync(r));
      }
      for (var f : fs) {
        bundles.add(f.join());
      }
    }
    VerifyOptions opts = VerifyOptions.trusting(signer.verifierKey());
    for (int i = 0; i < 200; i++) {
      BundleVerifier.verify(bundles.get(i), opts);
    }
    t0 = System.nanoTime();
    for (ReceiptBundle b : bundles) {
      BundleVerifier.verify(b, opts);
    }
    double bundleUs = (System.nanoTime() - t0) / 1e3 / n;
    int jsonBytes = BundleJson.toJson(bundles.getLast()).getBytes(StandardCharsets.UTF_8).length;
    System.out.printf(
        "receipt sign (EIP-712 + secp256k1, RFC 6979): %8.1f us per receipt%n", signUs);
    System.out.printf(
        "receipt verify (ecrecover + low-s check)    : %8.1f us per receipt%n", verifyUs);
    System.out.printf(
        "bundle verify (receipt + checkpoint Ed25519 + inclusion, tree of %d): %8.1f us per receipt%n",
        n, bundleUs);
    System.out.printf("bundle JSON size: %,d bytes%n", jsonBytes);
  }

  static SignedReceipt receipt(ReceiptKey key, long i) {
    Digest d = Digest.of(("bench " + i).getBytes(StandardCharsets.UTF_8));
    Receipt r =
        Receipt.builder()
            .model(d)
            .engine("strict", "0.1.0", d, NumericMode.BITWISE)
            .input(d)
            .output(d)
            .trace(d, 17)
            .node(key.address())
            .requestId("bench-" + i)
            .timeMillis(1_764_000_000_000L + i)
            .policy(VerificationPolicy.parse("sample:0.05"))
            .seed(i)
            .build();
    return SignedReceipt.sign(r, ReceiptDomain.DEVNET, key);
  }

  static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }
}
