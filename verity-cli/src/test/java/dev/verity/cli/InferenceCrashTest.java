package dev.verity.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verity.client.InferRequest;
import dev.verity.client.InferenceReply;
import dev.verity.client.VerityClient;
import dev.verity.engine.dataset.MnistIdx;
import dev.verity.log.ConsistencyProof;
import dev.verity.log.bundle.ReceiptBundle;
import dev.verity.log.note.Checkpoint;
import dev.verity.log.note.Note;
import dev.verity.log.note.SignedCheckpoint;
import dev.verity.log.note.VerifierKey;
import dev.verity.log.verify.BundleVerifier;
import dev.verity.log.verify.VerifyOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node in its own JVM under concurrent inference load is killed with SIGKILL, then restarted on
 * the same data directory: every receipt any client was answered with is in the log at the index it
 * was given, proven against the new checkpoint, which is consistent with every checkpoint the
 * clients saw before the crash.
 */
class InferenceCrashTest {
  static final int CLIENTS = 4;
  static final int KILL_AFTER_ACKS = 300;
  static final Pattern URL = Pattern.compile("running at (http://[^ ]+)");

  @TempDir Path tmp;

  record Node(Process process, String url) {}

  static Node startNode(Path dataDir, Path log) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(
                java,
                "--add-modules",
                "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                "-Dverity.home=" + dataDir.resolveSibling("home"),
                "dev.verity.cli.VerityCli",
                "node",
                "run",
                "--port",
                "0",
                "--data-dir",
                dataDir.toString())
            .redirectError(log.toFile());
    Process p = pb.start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    String line;
    while (System.nanoTime() < deadline && (line = out.readLine()) != null) {
      Matcher m = URL.matcher(line);
      if (m.find()) {
        // Keep draining stdout so the node never blocks on a full pipe.
        Thread.ofPlatform().daemon().start(() -> drain(out));
        return new Node(p, m.group(1));
      }
    }
    p.destroyForcibly();
    throw new IOException("node did not start: " + Files.readString(log, StandardCharsets.UTF_8));
  }

  static void drain(BufferedReader r) {
    try {
      while (r.readLine() != null) {
        // discard
      }
    } catch (IOException e) {
      // the process died
    }
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void sigkillUnderLoad_everyAcknowledgedReceiptIsInTheLogAfterRestart() throws Exception {
    Path shared = Path.of(System.getProperty("verity.shared", "../../shared")).toAbsolutePath();
    Path data = tmp.resolve("node");
    MnistIdx.Images images =
        MnistIdx.readImages(shared.resolve("datasets/mnist/t10k-images-idx3-ubyte.gz"));

    Node first = startNode(data, tmp.resolve("node-1.log"));
    VerifierKey logKey;
    ConcurrentLinkedQueue<InferenceReply> acked = new ConcurrentLinkedQueue<>();
    AtomicBoolean stop = new AtomicBoolean();
    long killedAt;
    try {
      Path key = tmp.resolve("publisher.key");
      System.setProperty("verity.home", tmp.resolve("home").toString());
      assertThat(Cli.run("key", "generate", "--out", key.toString()).exit()).isZero();
      Cli.Result pub =
          Cli.run(
              "model",
              "publish",
              shared.resolve("models/mnist/mnist-7.onnx").toString(),
              "--name",
              "mnist",
              "--version",
              "7",
              "--key",
              key.toString(),
              "--node",
              first.url());
      assertThat(pub.exit()).as(pub.err()).isZero();
      try (VerityClient c = VerityClient.connect(first.url())) {
        logKey = c.node().logKey();
      }
      CountDownLatch enough = new CountDownLatch(KILL_AFTER_ACKS);
      List<Thread> clients = new ArrayList<>();
      for (int t = 0; t < CLIENTS; t++) {
        int id = t;
        clients.add(
            Thread.ofPlatform()
                .start(
                    () -> {
                      try (VerityClient c = VerityClient.connect(first.url())) {
                        for (int i = 0; !stop.get(); i++) {
                          InferenceReply r =
                              c.infer(
                                  InferRequest.of(
                                          "mnist@7",
                                          Map.of("Input3", images.tensor((id * 1000 + i) % 10000)))
                                      .withRequestId("crash-" + id + "-" + i));
                          acked.add(r);
                          enough.countDown();
                        }
                      } catch (IOException | RuntimeException e) {
                        // Expected once the node is killed.
                      }
                    }));
      }
      assertThat(enough.await(45, TimeUnit.SECONDS)).as("clients got answers").isTrue();
      first.process().destroyForcibly();
      killedAt = System.nanoTime();
      first.process().waitFor(10, TimeUnit.SECONDS);
      stop.set(true);
      for (Thread t : clients) {
        t.join(10_000);
      }
    } finally {
      first.process().destroyForcibly();
    }
    List<InferenceReply> all = new ArrayList<>(acked);
    assertThat(all).hasSizeGreaterThanOrEqualTo(KILL_AFTER_ACKS);

    Node second = startNode(data, tmp.resolve("node-2.log"));
    try (VerityClient c = VerityClient.connect(second.url())) {
      double restartSeconds = (System.nanoTime() - killedAt) / 1e9;
      assertThat(c.node().logKey()).isEqualTo(logKey);
      SignedCheckpoint now = SignedCheckpoint.verify(c.checkpoint(), logKey);
      long size = now.checkpoint().size();
      long maxIndex = 0;
      for (InferenceReply r : all) {
        maxIndex = Math.max(maxIndex, r.logIndex());
        // The receipt the client holds proves inclusion against the checkpoint it was given...
        BundleVerifier.verify(r.receipt(), VerifyOptions.trusting(logKey));
        // ...the restarted node has the same receipt at the same index...
        ReceiptBundle again = c.receipt(r.requestId());
        assertThat(again.receipt()).isEqualTo(r.receipt().receipt());
        assertThat(again.logIndex()).isEqualTo(r.logIndex());
        BundleVerifier.verify(again, VerifyOptions.trusting(logKey));
        // ...and the new checkpoint extends the one the client saw.
        Checkpoint seen = Checkpoint.parse(Note.parse(r.receipt().checkpoint()).text());
        ConsistencyProof p = c.consistencyProof(seen.size(), size);
        p.verify(seen.rootHash(), now.checkpoint().rootHash());
      }
      assertThat(size).isGreaterThan(maxIndex);
      System.out.printf(
          "crash test: %d receipts acknowledged to %d clients before SIGKILL; log size %d after"
              + " restart (%.1f s after the kill); all %d found at their index, inclusion and"
              + " consistency proofs verified%n",
          all.size(), CLIENTS, size, restartSeconds, all.size());
      // The restarted node keeps serving.
      InferenceReply after =
          c.infer(InferRequest.of("mnist@7", Map.of("Input3", images.tensor(0))));
      assertThat(after.logIndex()).isEqualTo(size);
    } finally {
      second.process().destroyForcibly();
      second.process().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
