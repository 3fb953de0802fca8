package dev.verity.cli.devnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.verity.client.InferenceReply;
import dev.verity.client.NetworkClient;
import dev.verity.client.VerityClient;
import dev.verity.client.routing.Attempt;
import dev.verity.client.routing.Candidate;
import dev.verity.client.routing.RetryPolicy;
import dev.verity.client.routing.Routed;
import dev.verity.core.Digest;
import dev.verity.engine.dataset.MnistIdx;
import dev.verity.log.bundle.ReceiptBundle;
import dev.verity.log.verify.BundleVerifier;
import dev.verity.log.verify.VerifyOptions;
import dev.verity.receipt.eth.EthAddress;
import dev.verity.settlement.AnchoredCheckpoint;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The network on a real Anvil with real node processes on loopback: the devnet's setup, inferences
 * routed across nodes while one node is killed with SIGKILL (clients fail over, the network keeps
 * serving, every acknowledged receipt is in the log of the node that issued it, also after the
 * killed node restarts), and a node that stops heartbeating is dropped from routing.
 */
class DevnetNetworkTest {
  @TempDir Path tmp;

  static Path shared() {
    String s = System.getProperty("verity.shared");
    return s != null ? Path.of(s) : Path.of("../../shared");
  }

  /** A receipt a client was answered with. */
  record Acked(URI endpoint, EthAddress node, String requestId, long logIndex, Digest receiptId) {}

  static final RetryPolicy POLICY =
      new RetryPolicy(
          4,
          Duration.ofMillis(50),
          Duration.ofMillis(500),
          Duration.ofMillis(1500),
          Duration.ofSeconds(30));

  @Test
  void network_sigkillMidRun_failsOver_losesNothingAcknowledged_andDropsSilentNode()
      throws Exception {
    StringWriter text = new StringWriter();
    PrintWriter out = new PrintWriter(text, true);
    Devnet.Options options =
        Devnet.Options.defaults(tmp.resolve("devnet"), shared())
            .withHeartbeat(Duration.ofSeconds(1), Duration.ofSeconds(30));
    MnistIdx.Images images =
        MnistIdx.readImages(shared().resolve("datasets/mnist/t10k-images-idx3-ubyte.gz"));
    List<Long> pids = new ArrayList<>();
    long anvilPid;
    try (Devnet net = Devnet.start(options, out)) {
      anvilPid = net.anvil().pid();
      net.nodes().forEach(p -> pids.add(p.pid()));
      assertThat(net.nodes()).hasSize(4);
      // Every node fetched the models from a peer (only node 0 got them published) and lists them.
      Digest mnist = net.model("mnist@7").digest();
      assertThat(net.chain().nodesServing(mnist, java.util.Optional.of(Duration.ofSeconds(30))))
          .hasSize(4);
      // Nodes 0 and 1 share an operator; 3 operators in all.
      assertThat(net.onChain(net.nodes().get(0)).operator())
          .isEqualTo(net.onChain(net.nodes().get(1)).operator());
      assertThat(net.nodes().stream().map(p -> operator(net, p)).distinct()).hasSize(3);

      // The devnet command's own round: MNIST and TinyStories across nodes, receipts verified,
      // one re-executed offline, logs anchored.
      DevnetCommand.Report report = DevnetCommand.exercise(net, shared(), out);
      assertThat(report.verified()).isEqualTo(10);
      assertThat(report.servedBy().keySet().size()).isGreaterThan(1);
      assertThat(report.reexecuted()).contains("match bit for bit");

      NodeProcess victim = net.nodes().get(2);
      List<Acked> acked = Collections.synchronizedList(new ArrayList<>());
      List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger seq = new AtomicInteger();
      AtomicInteger atKill = new AtomicInteger();
      ExecutorService workers = Executors.newFixedThreadPool(3);
      List<Future<?>> loops = new ArrayList<>();
      try (NetworkClient client = net.client(11, POLICY)) {
        for (int w = 0; w < 3; w++) {
          loops.add(
              workers.submit(
                  () -> {
                    while (!stop.get()) {
                      int i = seq.getAndIncrement();
                      try {
                        Routed<InferenceReply> r =
                            client.infer(net.mnistRequest(images, i % 100, "t-" + i));
                        acked.add(acked(r));
                      } catch (Exception e) {
                        errors.add(e);
                      }
                    }
                  }));
        }
        // Mid-run: once the victim has answered some requests, SIGKILL it.
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> count(acked, victim.url()) >= 2 && errors.isEmpty());
        victim.kill();
        assertThat(victim.isAlive()).isFalse();
        atKill.set(acked.size());
        // The network keeps serving: more answers arrive, and no request failed.
        await().atMost(Duration.ofSeconds(60)).until(() -> acked.size() >= atKill.get() + 12);
        stop.set(true);
        for (Future<?> f : loops) {
          f.get();
        }
      } finally {
        stop.set(true);
        workers.shutdownNow();
      }
      assertThat(errors).isEmpty();
      out.printf(
          "killed node 2 (pid was %d) after %d answers; %d answers in all, none failed%n",
          pids.get(2), atKill.get(), acked.size());

      // A fresh client (no memory of failures) that draws the dead node first fails over to a live
      // one within the same call.
      boolean sawFailover = false;
      try (NetworkClient client = net.client(3, POLICY.withHedgeAfter(Duration.ZERO))) {
        for (int i = 0; i < 40 && !sawFailover; i++) {
          Routed<InferenceReply> r = client.infer(net.mnistRequest(images, i, "f-" + i));
          acked.add(acked(r));
          if (r.attempts().getFirst().node().endpoint().equals(victim.url())) {
            assertThat(r.attempts().getFirst().outcome()).startsWith("failed");
            assertThat(r.node().endpoint()).isNotEqualTo(victim.url());
            assertThat(r.failedOver()).isTrue();
            sawFailover = true;
          }
        }
      }
      assertThat(sawFailover).as("a request whose first choice was the killed node").isTrue();
      out.println("a request whose first choice was the killed node failed over");

      // Restart the killed node on its data directory: every receipt it acknowledged is there,
      // at the index it was given, proven against its current checkpoint.
      victim.start();
      victim.awaitReady(Duration.ofSeconds(90));
      net.awaitServing(Duration.ofSeconds(60));
      for (Acked a : acked) {
        try (VerityClient c = VerityClient.connect(a.endpoint())) {
          ReceiptBundle b = c.receipt(a.requestId());
          assertThat(b.receipt().id()).isEqualTo(a.receiptId());
          assertThat(b.logIndex()).isEqualTo(a.logIndex());
          BundleVerifier.verify(
              b,
              VerifyOptions.trusting(c.node().logKey()).domain(net.deployment().receiptDomain()));
        }
      }
      assertThat(count(acked, victim.url())).isGreaterThanOrEqualTo(2);
      out.printf(
          "after restart: all %d acknowledged receipts found in their nodes' logs (%d from the"
              + " killed node)%n",
          acked.size(), count(acked, victim.url()));
      // Its log is anchored on-chain at least as far as before the crash.
      EthAddress victimAddress = net.onChain(victim).node();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                List<AnchoredCheckpoint> cps = net.chain().checkpoints(victimAddress);
                long max =
                    acked.stream()
                        .filter(a -> a.node().equals(victimAddress))
                        .mapToLong(Acked::logIndex)
                        .max()
                        .orElse(0);
                return !cps.isEmpty() && cps.getLast().treeSize() > max;
              });

      // A node that stops heartbeating drops out of routing once its heartbeat is too old.
      NodeProcess silent = net.nodes().get(3);
      silent.kill();
      net.anvil().increaseTime(options.maxHeartbeatAge().plusSeconds(5));
      Set<URI> alive = new HashSet<>();
      for (int i = 0; i < 3; i++) {
        alive.add(net.nodes().get(i).url());
      }
      try (NetworkClient client = net.client(5, POLICY)) {
        // The live nodes heartbeat again within a second; the silent one never does.
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    Set.copyOf(client.discover(mnist).stream().map(Candidate::endpoint).toList())
                        .equals(alive));
        for (int i = 0; i < 8; i++) {
          Routed<InferenceReply> r = client.infer(net.mnistRequest(images, i, "h-" + i));
          assertThat(r.attempts())
              .extracting(Attempt::node)
              .extracting(Candidate::endpoint)
              .doesNotContain(silent.url());
        }
      }
      out.println("node 3 stopped heartbeating and was dropped from routing");

      // A registry entry that points at another node's endpoint: that node's receipts are not
      // the registered node's, so the client rejects them and fails over.
      NodeProcess honest = net.nodes().get(0);
      NodeProcess misdirected = net.nodes().get(1);
      EthAddress misdirectedAddress = net.onChain(misdirected).node();
      try (var operator =
          dev.verity.settlement.evm.EvmSettlement.connect(
              net.anvil().rpcUrl(),
              net.deployment(),
              dev.verity.settlement.evm.EvmKey.fromMnemonic(
                  dev.verity.settlement.anvil.AnvilProcess.MNEMONIC, 1))) {
        operator.updateEndpoint(misdirectedAddress, honest.url().toString());
      }
      int rejected = 0;
      try (NetworkClient client = net.client(9, POLICY.withHedgeAfter(Duration.ZERO))) {
        for (int i = 0; i < 30 && rejected == 0; i++) {
          Routed<InferenceReply> r = client.infer(net.mnistRequest(images, i, "m-" + i));
          assertThat(r.value().receipt().receipt().receipt().node()).isEqualTo(r.node().node());
          for (Attempt a : r.attempts()) {
            if (a.node().node().equals(misdirectedAddress)) {
              assertThat(a.outcome()).contains("says it is").contains("registry lists");
              rejected++;
            }
          }
        }
      }
      assertThat(rejected).as("answers under another node's registry entry rejected").isPositive();
      out.println("receipts from a node answering under another node's registry entry rejected");
      net.nodes().forEach(p -> pids.add(p.pid()));
    }
    System.out.print(text);
    // Nothing is left behind: every node process and Anvil are gone.
    for (long pid : pids) {
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
          .as("node pid " + pid)
          .isFalse();
    }
    assertThat(ProcessHandle.of(anvilPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThat(text.toString()).contains("every node serves mnist@7, tinystories-260k@1");
  }

  private static Acked acked(Routed<InferenceReply> r) {
    return new Acked(
        r.node().endpoint(),
        r.node().node(),
        r.value().requestId(),
        r.value().logIndex(),
        r.value().receiptId());
  }

  private static long count(List<Acked> acked, URI endpoint) {
    synchronized (acked) {
      return acked.stream().filter(a -> a.endpoint().equals(endpoint)).count();
    }
  }

  private static EthAddress operator(Devnet net, NodeProcess p) {
    try {
      return net.onChain(p).operator();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
