package dev.verity.bench;

import dev.verity.client.InferenceBundle;
import dev.verity.client.ReceiptVerifier;
import dev.verity.client.VerificationOptions;
import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.core.key.SigningKey;
import dev.verity.engine.EngineLimits;
import dev.verity.engine.InferenceResult;
import dev.verity.engine.LoadedModel;
import dev.verity.engine.RunOptions;
import dev.verity.engine.Tensor;
import dev.verity.engine.TensorEncoding;
import dev.verity.engine.dataset.MnistIdx;
import dev.verity.engine.strict.StrictEngine;
import dev.verity.hub.manifest.ManifestFile;
import dev.verity.hub.manifest.ModelFormat;
import dev.verity.hub.manifest.ModelManifest;
import dev.verity.hub.manifest.SignedManifest;
import dev.verity.log.verify.BundleVerifier;
import dev.verity.log.verify.VerifyOptions;
import dev.verity.node.receipt.IssuedReceipt;
import dev.verity.node.receipt.ReceiptDraft;
import dev.verity.node.receipt.ReceiptIssuer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * {@code verity bench receipt}: what signed, durably logged receipts add to a bare MNIST inference
 * on the strict engine, measured in-process in the same run with the same concurrent clients:
 *
 * <ul>
 *   <li>bare: {@code model.run} without trace (the engine alone);
 *   <li>traced: {@code model.run} with the trace commitment the receipt carries;
 *   <li>full: traced run, input and output digests, EIP-712 signing and the durable group-commit
 *       append to the node's log, inclusion proof and checkpoint ({@link ReceiptIssuer#issue}).
 *   <li>full, deferred trace: as full but without the trace run, the receipt carrying no trace
 *       (what a node serves under policy {@code none}, trace rule {@code auto}: the trace is
 *       committed only if a dispute asks for it).
 * </ul>
 *
 * Concurrent requests share one batch signature; the table shows signatures per request in the full
 * runs (batches / receipts). Each client announces its request before the engine runs ({@link
 * ReceiptIssuer#expect()}), as the node's tensor API does, so that a batch may fill for up to
 * {@link ReceiptIssuer#DEFAULT_BATCH_LINGER} while other requests are still running. Clients are
 * virtual threads, like the node's HTTP exchanges.
 *
 * <p>Also the offline verification time per receipt (signature, checkpoint, inclusion, manifest)
 * and with strict re-execution.
 *
 * <p>Arguments: {@code [dir] [requests per client] [clients...]}; dir defaults to
 * ./target/receipt-bench and must be on a real disk (fsync on tmpfs measures nothing).
 */
public final class ReceiptBench {
  private ReceiptBench() {}

  interface Body {
    void run(int client, int i) throws Exception;
  }

  public static void main(String[] args) throws Exception {
    Path base = Path.of(args.length > 0 ? args[0] : "target/receipt-bench");
    int perClient = args.length > 1 ? Integer.parseInt(args[1]) : 400;
    List<Integer> clientCounts = new ArrayList<>();
    for (int i = 2; i < args.length; i++) {
      clientCounts.add(Integer.parseInt(args[i]));
    }
    if (clientCounts.isEmpty()) {
      clientCounts = List.of(1, Runtime.getRuntime().availableProcessors(), 16);
    }
    Path shared = EngineBench.sharedDir();
    Path modelFile = shared.resolve("models/mnist/mnist-7.onnx");
    MnistIdx.Images images =
        MnistIdx.readImages(shared.resolve("datasets/mnist/t10k-images-idx3-ubyte.gz"));
    byte[] modelBytes = Files.readAllBytes(modelFile);
    StrictEngine engine = new StrictEngine();
    Digest modelDigest = Digest.of(modelBytes);
    System.out.printf(
        "verity bench receipt: %d CPUs, MNIST (mnist-7.onnx) on the strict engine, %d requests per"
            + " client, dir %s%n",
        Runtime.getRuntime().availableProcessors(), perClient, base.toAbsolutePath());
    Files.createDirectories(base);
    Path dir = Files.createTempDirectory(base, "run-");
    try (LoadedModel model = engine.load(modelBytes, EngineLimits.DEFAULT);
        ReceiptIssuer issuer = ReceiptIssuer.open(dir)) {
      Tensor[] inputs = new Tensor[256];
      for (int i = 0; i < inputs.length; i++) {
        inputs[i] = images.tensor(i);
      }
      String in = model.inputs().get(0).name();
      AtomicInteger seq = new AtomicInteger();
      Body bare = (c, i) -> model.run(Map.of(in, inputs[i & 255]), RunOptions.DEFAULT);
      Body traced = (c, i) -> model.run(Map.of(in, inputs[i & 255]), RunOptions.WITH_TRACE_ROOT);
      List<IssuedReceipt> issued = java.util.Collections.synchronizedList(new ArrayList<>());
      Body full =
          (c, i) -> {
            try (ReceiptIssuer.Expected receipt = issuer.expect()) {
              Map<String, Tensor> x = Map.of(in, inputs[i & 255]);
              InferenceResult r = model.run(x, RunOptions.WITH_TRACE_ROOT);
              IssuedReceipt ir =
                  receipt.issue(
                      draft(modelDigest, engine, x, r)
                          .withTrace(r.trace())
                          .withRequestId("bench-" + seq.incrementAndGet()));
              if (issued.size() < 200) {
                issued.add(ir);
              }
            }
          };
      Body deferred =
          (c, i) -> {
            try (ReceiptIssuer.Expected receipt = issuer.expect()) {
              Map<String, Tensor> x = Map.of(in, inputs[i & 255]);
              InferenceResult r = model.run(x, RunOptions.DEFAULT);
              receipt.issue(
                  draft(modelDigest, engine, x, r).withRequestId("bench-" + seq.incrementAndGet()));
            }
          };
      // Warm up every path, alone and concurrently, so the JIT has compiled them before timing.
      for (int w = 0; w < 2; w++) {
        for (Body b : List.of(bare, traced, full, deferred)) {
          time(b, 2, 150);
          time(b, 32, 40);
        }
      }
      System.out.printf(
          "%-8s %14s %14s %14s %16s %12s %12s %14s %10s%n",
          "clients",
          "bare req/s",
          "traced req/s",
          "full req/s",
          "full deferred",
          "full/bare",
          "full/traced",
          "deferred/bare",
          "sigs/req");
      Map<Integer, Double> sigsPerRequest = new java.util.LinkedHashMap<>();
      List<String> cpuLines = new ArrayList<>();
      for (int clients : clientCounts) {
        double[] cpu = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE};
        // Interleave and take the best of three so that drift hits every mode alike.
        double b = 0;
        double t = 0;
        double f = 0;
        double d = 0;
        long signatures = 0;
        for (int round = 0; round < 3; round++) {
          b = Math.max(b, time(bare, clients, perClient));
          cpu[0] = Math.min(cpu[0], lastCpuMicrosPerRequest);
          t = Math.max(t, time(traced, clients, perClient));
          cpu[1] = Math.min(cpu[1], lastCpuMicrosPerRequest);
          long before = issuer.signatureCount();
          f = Math.max(f, time(full, clients, perClient));
          cpu[2] = Math.min(cpu[2], lastCpuMicrosPerRequest);
          signatures += issuer.signatureCount() - before;
          d = Math.max(d, time(deferred, clients, perClient));
          cpu[3] = Math.min(cpu[3], lastCpuMicrosPerRequest);
        }
        cpuLines.add(
            String.format(
                "%-8d %14.1f %14.1f %14.1f %16.1f %11.3fx %11.3fx %13.3fx",
                clients,
                cpu[0],
                cpu[1],
                cpu[2],
                cpu[3],
                cpu[2] / cpu[0],
                cpu[2] / cpu[1],
                cpu[3] / cpu[0]));
        // Receipts are signed in batches (one signature per batch): signatures / receipts.
        double spr = signatures / (3.0 * clients * perClient);
        sigsPerRequest.put(clients, spr);
        System.out.printf(
            "%-8d %14.0f %14.0f %14.0f %16.0f %11.3fx %11.3fx %13.3fx %10.3f%n",
            clients, b, t, f, d, b / f, t / f, b / d, spr);
      }
      // Process CPU time (every thread: clients, signer, log commit, GC) per request: what a node
      // pays in compute, apart from the fsync wait that bounds throughput at low concurrency.
      System.out.printf(
          "%-8s %14s %14s %14s %16s %12s %12s %14s%n",
          "clients",
          "bare CPU µs",
          "traced CPU µs",
          "full CPU µs",
          "deferred CPU µs",
          "full/bare",
          "full/traced",
          "deferred/bare");
      cpuLines.forEach(System.out::println);
      breakdown(model, in, inputs, engine, modelDigest, issuer, seq, sigsPerRequest);
      System.out.printf(
          "(full/bare = time per request with receipt, trace and durable log over the bare engine"
              + " run; deferred/bare the same without the trace run; overhead %% = (ratio - 1) x"
              + " 100; log now holds %d receipts, %d group commits)%n",
          issuer.log().size(), issuer.log().commitCount());

      // The same fixed cost on a conv-heavy model, where the engine run dominates.
      Path heavy = shared.resolve("models/onnx-light/light_resnet50.onnx");
      if (Files.exists(heavy)) {
        heavier(heavy, engine, issuer, seq);
      }

      // Offline verification per receipt.
      SigningKey pub = SigningKey.fromSeed(Bytes.copyOf(new byte[32]));
      SignedManifest manifest =
          SignedManifest.sign(
              new ModelManifest(
                  "mnist",
                  "7",
                  ModelFormat.ONNX,
                  List.of(new ManifestFile("mnist-7.onnx", modelBytes.length, modelDigest)),
                  null,
                  "MIT",
                  "bench",
                  "",
                  Instant.parse("2026-01-01T00:00:00Z"),
                  pub.verifyingKey()),
              pub);
      VerifyOptions lib = VerifyOptions.trusting(issuer.logKey());
      for (int w = 0; w < 3; w++) {
        for (IssuedReceipt ir : issued) {
          BundleVerifier.verify(ir.bundle(), lib);
        }
      }
      long t0 = System.nanoTime();
      for (IssuedReceipt ir : issued) {
        BundleVerifier.verify(ir.bundle(), lib);
      }
      double perReceipt = (System.nanoTime() - t0) / 1e3 / issued.size();
      long t1 = System.nanoTime();
      for (int k = 0; k < 50; k++) {
        manifest.verify();
      }
      double perManifest = (System.nanoTime() - t1) / 1e3 / 50;
      System.out.printf(
          "offline verification: %.0f µs per receipt (signature, checkpoint, inclusion proof)"
              + " + %.0f µs for the manifest signature, over %d receipts%n",
          perReceipt, perManifest, issued.size());
      // Re-execution: the strict engine again, bit for bit, against a matching manifest.
      Path mdir = Files.createDirectories(dir.resolve("model"));
      Files.write(mdir.resolve("mnist-7.onnx"), modelBytes);
      VerificationOptions reexec = VerificationOptions.trusting(issuer.logKey()).reexecute(mdir);
      Map<String, Tensor> x = Map.of(in, inputs[0]);
      InferenceResult r = model.run(x, RunOptions.WITH_TRACE_ROOT);
      IssuedReceipt ir =
          issuer.issue(
              draft(manifest.digest(), engine, x, r)
                  .withTrace(r.trace())
                  .withRequestId("bench-reexec"));
      InferenceBundle rb =
          new InferenceBundle(ir.bundle(), issuer.logKey().encode(), manifest, x, r.outputs());
      for (int w = 0; w < 5; w++) {
        ReceiptVerifier.verify(rb, reexec);
      }
      long t2 = System.nanoTime();
      int n = 20;
      for (int k = 0; k < n; k++) {
        ReceiptVerifier.verify(rb, reexec);
      }
      System.out.printf(
          "offline verification with strict re-execution (model load + run + trace): %.1f ms per"
              + " receipt%n",
          (System.nanoTime() - t2) / 1e6 / n);
    } finally {
      deleteTree(dir);
    }
  }

  /**
   * Bare, traced and full on a larger model, 2 clients: signing and logging cost per request, the
   * trace commitment per byte of intermediate tensors.
   */
  static void heavier(Path file, StrictEngine engine, ReceiptIssuer issuer, AtomicInteger seq)
      throws Exception {
    byte[] bytes = Files.readAllBytes(file);
    Digest digest = Digest.of(bytes);
    try (LoadedModel m = engine.load(bytes, EngineLimits.DEFAULT)) {
      Map<String, Tensor> x = new java.util.HashMap<>();
      for (var spec : m.inputs()) {
        long[] shape = new long[spec.dims().size()];
        for (int i = 0; i < shape.length; i++) {
          shape[i] = Math.max(1, spec.dims().get(i));
        }
        byte[] data = new byte[(int) (Tensor.elementCount(shape) * spec.type().byteSize())];
        new java.util.Random(1).nextBytes(data);
        if (spec.type() == dev.verity.engine.DataType.FLOAT32) {
          java.nio.FloatBuffer fb =
              java.nio.ByteBuffer.wrap(data)
                  .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                  .asFloatBuffer();
          for (int i = 0; i < fb.capacity(); i++) {
            fb.put(i, (i % 255) / 255f);
          }
        }
        x.put(spec.name(), Tensor.ofBytes(spec.type(), shape, data));
      }
      Body bare = (c, i) -> m.run(x, RunOptions.DEFAULT);
      Body full =
          (c, i) -> {
            InferenceResult r = m.run(x, RunOptions.WITH_TRACE_ROOT);
            issuer.issue(
                draft(digest, engine, x, r)
                    .withTrace(r.trace())
                    .withRequestId("heavy-" + seq.incrementAndGet()));
          };
      Body traced = (c, i) -> m.run(x, RunOptions.WITH_TRACE_ROOT);
      time(bare, 2, 2);
      time(traced, 2, 2);
      time(full, 2, 2);
      double b = 0;
      double t = 0;
      double f = 0;
      for (int round = 0; round < 3; round++) {
        b = Math.max(b, time(bare, 2, 6));
        t = Math.max(t, time(traced, 2, 6));
        f = Math.max(f, time(full, 2, 6));
      }
      System.out.printf(
          "%s, 2 clients: bare %.2f req/s, traced %.2f req/s, full %.2f req/s; full/bare %.3fx,"
              + " full/traced %.3fx%n",
          file.getFileName(), b, t, f, b / f, t / f);
    }
  }

  /** Where the time of one request goes, single-threaded, in microseconds. */
  static void breakdown(
      LoadedModel model,
      String in,
      Tensor[] inputs,
      StrictEngine engine,
      Digest modelDigest,
      ReceiptIssuer issuer,
      AtomicInteger seq,
      Map<Integer, Double> sigsPerRequest)
      throws Exception {
    int n = 300;
    Map<String, Tensor> x = Map.of(in, inputs[0]);
    InferenceResult r = model.run(x, RunOptions.WITH_TRACE_ROOT);
    ReceiptDraft draft = draft(modelDigest, engine, x, r).withTrace(r.trace());
    dev.verity.receipt.ReceiptKey key =
        dev.verity.receipt.ReceiptKey.generate(new java.security.SecureRandom());
    dev.verity.receipt.Receipt receipt =
        dev.verity.receipt.Receipt.builder()
            .model(modelDigest)
            .engine(engine.info())
            .input(draft.inputDigest())
            .output(draft.outputDigest())
            .trace(draft.traceRoot(), draft.traceLeaves())
            .node(key.address())
            .requestId("x")
            .timeMillis(1)
            .build();
    double[] us = new double[5];
    for (int round = 0; round < 2; round++) {
      long t = System.nanoTime();
      for (int i = 0; i < n; i++) {
        model.run(Map.of(in, inputs[i & 255]), RunOptions.DEFAULT);
      }
      us[0] = (System.nanoTime() - t) / 1e3 / n;
      t = System.nanoTime();
      for (int i = 0; i < n; i++) {
        model.run(Map.of(in, inputs[i & 255]), RunOptions.WITH_TRACE_ROOT);
      }
      us[1] = (System.nanoTime() - t) / 1e3 / n - us[0];
      t = System.nanoTime();
      for (int i = 0; i < n; i++) {
        TensorEncoding.digest(x);
        TensorEncoding.digest(r.outputs());
      }
      us[2] = (System.nanoTime() - t) / 1e3 / n;
      t = System.nanoTime();
      for (int i = 0; i < n; i++) {
        dev.verity.receipt.SignedReceipt.sign(
            receipt, dev.verity.receipt.ReceiptDomain.DEVNET, key);
      }
      us[3] = (System.nanoTime() - t) / 1e3 / n;
      t = System.nanoTime();
      for (int i = 0; i < n; i++) {
        issuer.issue(draft.withRequestId("bd-" + seq.incrementAndGet()));
      }
      us[4] = (System.nanoTime() - t) / 1e3 / n - us[3];
    }
    System.out.printf(
        "one request, 1 client, µs: engine run %.0f | trace commitment +%.0f | input+output"
            + " digests %.0f | EIP-712 secp256k1 signing %.0f | durable append incl. fsync wait,"
            + " proof, checkpoint %.0f%n",
        us[0], us[1], us[2], us[3], us[4]);
    StringBuilder amortised = new StringBuilder();
    sigsPerRequest.forEach(
        (clients, spr) ->
            amortised.append(
                String.format(
                    " | %d client%s: %.3f sig/req -> %.1f µs",
                    clients, clients == 1 ? "" : "s", spr, spr * us[3])));
    System.out.println(
        "amortised signing per request (one signature per batch; signatures per request ="
            + " batches / receipts in the full runs above)"
            + amortised);
  }

  /** The draft a node makes for one run: model, engine, input and output digests. */
  static ReceiptDraft draft(
      Digest model, StrictEngine engine, Map<String, Tensor> x, InferenceResult r) {
    return ReceiptDraft.of(
        model, engine.info(), TensorEncoding.digest(x), TensorEncoding.digest(r.outputs()));
  }

  /** Process CPU microseconds per request of the last {@link #time} call. */
  static double lastCpuMicrosPerRequest;

  /**
   * Requests per second with {@code clients} threads each doing {@code perClient} requests. The
   * clients are virtual threads, as the node's HTTP server runs every exchange on one.
   */
  static double time(Body body, int clients, int perClient) throws Exception {
    List<Thread> threads = new ArrayList<>();
    List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
    long self = ProcessHandle.current().pid();
    ServeBench.Cpu.Sample cpu0 = ServeBench.Cpu.sample(self);
    long t0 = System.nanoTime();
    for (int c = 0; c < clients; c++) {
      int id = c;
      threads.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      for (int i = 0; i < perClient; i++) {
                        body.run(id, id * 7919 + i);
                      }
                    } catch (Throwable e) {
                      errors.add(e);
                    }
                  }));
    }
    for (Thread t : threads) {
      t.join();
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    // Summed over the threads in ns (/proc schedstat): the process clock counts 10 ms ticks,
    // too coarse for a round at one client.
    lastCpuMicrosPerRequest =
        ServeBench.Cpu.between(cpu0, ServeBench.Cpu.sample(self)).nanos()
            / 1e3
            / (clients * (double) perClient);
    if (!errors.isEmpty()) {
      throw new IllegalStateException("benchmark request failed", errors.get(0));
    }
    return clients * (double) perClient / secs;
  }

  static void deleteTree(Path root) throws java.io.IOException {
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
