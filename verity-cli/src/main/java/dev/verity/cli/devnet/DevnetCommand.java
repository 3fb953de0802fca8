package dev.verity.cli.devnet;

import dev.verity.cli.demo.SharedDir;
import dev.verity.client.ChatCompletion;
import dev.verity.client.ChatRequest;
import dev.verity.client.InferenceBundle;
import dev.verity.client.InferenceReply;
import dev.verity.client.NetworkClient;
import dev.verity.client.ReceiptVerifier;
import dev.verity.client.VerificationOptions;
import dev.verity.client.VerifiedInference;
import dev.verity.client.VerityClient;
import dev.verity.client.routing.RetryPolicy;
import dev.verity.client.routing.Routed;
import dev.verity.engine.Tensor;
import dev.verity.engine.dataset.MnistIdx;
import dev.verity.node.audit.CheatStrategy;
import dev.verity.receipt.eth.EthAddress;
import dev.verity.settlement.AnchoredCheckpoint;
import dev.verity.settlement.NodeInfo;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code verity devnet}: a whole local network in one command. */
@Command(
    name = "devnet",
    mixinStandardHelpOptions = true,
    description = {
      "Start a local Verity network: Anvil, the contracts, and 4 nodes as separate processes on"
          + " 127.0.0.1 (3 operators; nodes 0 and 1 share one), publish the shared MNIST and"
          + " TinyStories models to node 0 and register them on-chain, let the other nodes fetch"
          + " them from peers, run inferences across nodes through the routing client, verify"
          + " the receipts end to end, and print the endpoints.",
      "Runs until Ctrl-C (SIGINT) or SIGTERM, then stops every node and Anvil."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  verity devnet                          run until Ctrl-C",
      "  verity devnet --smoke                  stop right after the summary (exit 0 if all passed)",
      "  verity devnet --data-dir /tmp/devnet   keep keys, logs and data there",
      "  verity devnet --adversarial wrong-output   add a cheating node, count what the network"
          + " catches",
      "  verity devnet --adversarial all --requests 8   every strategy, a fresh node for each"
    })
public final class DevnetCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"--smoke", "--exit-after-summary"},
      description = "Shut down right after the summary.")
  boolean smoke;

  @Option(
      names = "--nodes",
      paramLabel = "N",
      defaultValue = "4",
      description = "Number of nodes, 2 to 9 (default ${DEFAULT-VALUE}).")
  int nodeCount;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "Keep the devnet's files here instead of a temporary directory.")
  Path dataDir;

  @Option(
      names = "--adversarial",
      paramLabel = "STRATEGY",
      description =
          "Test only: add cheating node processes (setting audit-cheat) for STRATEGY, a comma"
              + " list, or 'all' (wrong-output, output-noise, quantized-model, replayed-output,"
              + " skipped-layer, lying-trace, silent-in-dispute, colluding-auditor,"
              + " lying-auditor), send sample:p requests through the"
              + " routing client, let the nodes audit and dispute on their own, print requests"
              + " cheated, audited, detected, stated P(detect), stake slashed and honest nodes"
              + " falsely accused, then stop. Exit status 1 if an honest node was accused, a"
              + " detected cheater was not slashed or a false accusation was upheld.")
  String adversarial;

  @Option(
      names = "--requests",
      paramLabel = "N",
      defaultValue = "16",
      description =
          "With --adversarial: answers each cheating node must serve (default ${DEFAULT-VALUE}).")
  int requests;

  @Option(
      names = "--sample",
      paramLabel = "P",
      defaultValue = "0.5",
      description =
          "With --adversarial: the tier's audit probability p of sample:p (default ${DEFAULT-VALUE}).")
  BigDecimal sample;

  private final CountDownLatch stopped = new CountDownLatch(1);

  /** The strategies --adversarial names. */
  static List<CheatStrategy> strategies(String text) {
    if (text.strip().equalsIgnoreCase("all")) {
      return java.util.Arrays.stream(CheatStrategy.values())
          .filter(s -> s != CheatStrategy.HONEST)
          .toList();
    }
    List<CheatStrategy> out = new ArrayList<>();
    for (String part : text.split(",")) {
      CheatStrategy s;
      try {
        s = CheatStrategy.parse(part);
      } catch (IllegalArgumentException e) {
        throw new dev.verity.cli.CliException("--adversarial: " + e.getMessage() + ", or all");
      }
      if (s == CheatStrategy.HONEST) {
        throw new dev.verity.cli.CliException(
            "--adversarial needs a cheating strategy; 'honest' is what the other nodes do");
      }
      if (!out.contains(s)) {
        out.add(s);
      }
    }
    return out;
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (nodeCount < 2 || nodeCount > 9) {
      throw new dev.verity.cli.CliException(
          "--nodes must be between 2 and 9 (Anvil funds 10 accounts), got " + nodeCount);
    }
    AdversarialRun.Options adv = null;
    if (adversarial != null) {
      if (nodeCount > AdversarialRun.MAX_HONEST_NODES) {
        throw new dev.verity.cli.CliException(
            "--adversarial runs with at most "
                + AdversarialRun.MAX_HONEST_NODES
                + " honest nodes (--nodes), got "
                + nodeCount);
      }
      try {
        adv =
            new AdversarialRun.Options(
                strategies(adversarial), requests, sample, Devnet.ETH.multiply(BigInteger.TWO), 1);
      } catch (IllegalArgumentException e) {
        throw new dev.verity.cli.CliException(e.getMessage());
      }
    }
    Path shared = SharedDir.locate();
    boolean temporary = dataDir == null;
    Path dir = temporary ? Files.createTempDirectory("verity-devnet-") : dataDir;
    out.println("Verity devnet: " + nodeCount + " nodes, files in " + dir);
    out.flush();
    Devnet net = null;
    Thread hook = null;
    try {
      net =
          Devnet.start(
              Devnet.Options.defaults(dir, shared).withNodes(nodeCount),
              adv == null ? List.of() : AdversarialRun.extraNodes(adv),
              out);
      Devnet running = net;
      hook =
          new Thread(
              () -> {
                running.close();
                out.println("Verity devnet stopped: every node and Anvil are down");
                out.flush();
                stopped.countDown();
              },
              "verity-devnet-stop");
      Runtime.getRuntime().addShutdownHook(hook);
      if (adv != null) {
        smoke = true;
        AdversarialRun.Result r = AdversarialRun.run(net, adv, out);
        return r.passed() ? 0 : 1;
      }
      Report report = exercise(net, shared, out);
      summary(net, report, out);
      if (!smoke) {
        out.println();
        out.println("Press Ctrl-C to stop.");
        out.flush();
        stopped.await();
      }
      return 0;
    } finally {
      if (hook != null && smoke) {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
          // already shutting down
        }
      }
      if (net != null) {
        net.close();
        if (smoke) {
          out.println("Verity devnet stopped: every node and Anvil are down");
        }
      }
      if (temporary) {
        deleteTree(dir);
      }
      out.flush();
    }
  }

  /** What the inference round showed. */
  record Report(
      int mnist,
      int chats,
      int verified,
      Map<Integer, Integer> servedBy,
      int failovers,
      String reexecuted,
      Map<Integer, Long> anchored) {}

  /**
   * Runs MNIST and TinyStories inferences across the nodes through the routing client; each receipt
   * is verified by the client before it returns (registry identity, signature under the deployment
   * domain, inclusion in the node's signed checkpoint). One MNIST answer is also verified offline
   * from its bundle with a strict re-execution, and every serving node's log must be anchored
   * on-chain past the receipts it issued.
   */
  static Report exercise(Devnet net, Path shared, PrintWriter out) throws Exception {
    out.println();
    out.println("Inferences across the network (stake-weighted, operator cap 50%):");
    MnistIdx.Images images =
        MnistIdx.readImages(shared.resolve("datasets/mnist/t10k-images-idx3-ubyte.gz"));
    MnistIdx.Labels labels =
        MnistIdx.readLabels(shared.resolve("datasets/mnist/t10k-labels-idx1-ubyte.gz"));
    Map<Integer, Integer> servedBy = new TreeMap<>();
    Map<EthAddress, Long> maxIndex = new LinkedHashMap<>();
    int verified = 0;
    int failovers = 0;
    Routed<InferenceReply> first = null;
    int mnist = 8;
    try (NetworkClient client = net.client(20251125L, RetryPolicy.DEFAULT)) {
      for (int i = 0; i < mnist; i++) {
        Routed<InferenceReply> r = client.infer(net.mnistRequest(images, i, ""));
        if (first == null) {
          first = r;
        }
        int node = net.node(r.node().endpoint()).orElseThrow().index();
        servedBy.merge(node, 1, Integer::sum);
        failovers += r.failedOver() ? 1 : 0;
        verified++;
        maxIndex.merge(r.node().node(), r.value().logIndex(), Math::max);
        out.printf(
            "  mnist@7             image %d (label %d) -> %d   node %d  log index %-3d receipt"
                + " verified%n",
            i,
            labels.label(i),
            argmax(r.value().outputs().values().iterator().next()),
            node,
            r.value().logIndex());
        out.flush();
      }
      String[] prompts = {"Once upon a time", "The little dog"};
      for (String prompt : prompts) {
        Routed<ChatCompletion> r =
            client.chat(
                ChatRequest.of("tinystories-260k@1", prompt).withTemperature(0f).withMaxTokens(48));
        int node = net.node(r.node().endpoint()).orElseThrow().index();
        servedBy.merge(node, 1, Integer::sum);
        failovers += r.failedOver() ? 1 : 0;
        verified++;
        maxIndex.merge(r.node().node(), r.value().logIndex(), Math::max);
        out.printf(
            "  tinystories-260k@1  \"%s\" -> \"%s\"   node %d  log index %d  receipt verified%n",
            prompt, r.value().text().strip().replace('\n', ' '), node, r.value().logIndex());
        out.flush();
      }
    }
    String reexecuted = reexecute(net, first, shared, out);
    Map<Integer, Long> anchored = awaitAnchored(net, maxIndex, out);
    return new Report(mnist, 2, verified, servedBy, failovers, reexecuted, anchored);
  }

  /** Offline verification of one bundle, with a strict re-execution bit for bit. */
  private static String reexecute(
      Devnet net, Routed<InferenceReply> r, Path shared, PrintWriter out) throws Exception {
    try (VerityClient c = VerityClient.connect(r.node().endpoint())) {
      InferenceBundle bundle = c.bundle(r.value().requestId());
      VerifiedInference v =
          ReceiptVerifier.verify(
              bundle,
              VerificationOptions.trusting(c.node().logKey())
                  .reexecute(shared.resolve("models/mnist")));
      String s =
          "request "
              + r.value().requestId()
              + " re-executed on the strict engine: output and trace root match bit for bit"
              + (v.reexecuted() ? "" : " (not re-executed)");
      out.println("  offline bundle check: " + s);
      return s;
    }
  }

  /** Waits until each serving node has anchored a checkpoint covering its receipts. */
  private static Map<Integer, Long> awaitAnchored(
      Devnet net, Map<EthAddress, Long> maxIndex, PrintWriter out) throws Exception {
    Map<Integer, Long> anchored = new TreeMap<>();
    long deadline = System.nanoTime() + net.options().anchorInterval().multipliedBy(4).toNanos();
    for (Map.Entry<EthAddress, Long> e : maxIndex.entrySet()) {
      while (true) {
        List<AnchoredCheckpoint> cps = net.chain().checkpoints(e.getKey());
        long size = cps.isEmpty() ? 0 : cps.getLast().treeSize();
        if (size > e.getValue()) {
          int node =
              net.nodes().stream()
                  .filter(
                      p -> {
                        try {
                          return net.onChain(p).node().equals(e.getKey());
                        } catch (Exception x) {
                          return false;
                        }
                      })
                  .findFirst()
                  .orElseThrow()
                  .index();
          anchored.put(node, size);
          break;
        }
        if (System.nanoTime() > deadline) {
          throw new IOException(
              "node " + e.getKey() + " did not anchor its log past index " + e.getValue());
        }
        Thread.sleep(200);
      }
    }
    out.println("  log checkpoints anchored in LogAnchor (tree size per node): " + anchored);
    return anchored;
  }

  static int argmax(Tensor t) {
    float[] v = t.toFloats();
    int best = 0;
    for (int i = 1; i < v.length; i++) {
      if (v[i] > v[best]) {
        best = i;
      }
    }
    return best;
  }

  static void summary(Devnet net, Report r, PrintWriter out) throws Exception {
    Map<String, Double> t = net.timings();
    out.println();
    out.printf(
        "Verity devnet is running (ready in %.1f s)%n", t.getOrDefault("models served", 0.0));
    out.println("  chain RPC      " + net.anvil().rpcUrl() + "  (Anvil, chain id 31337)");
    out.println("  NodeRegistry   " + net.deployment().nodeRegistry());
    out.println("  ModelRegistry  " + net.deployment().modelRegistry());
    out.println("  LogAnchor      " + net.deployment().logAnchor());
    out.println("  Escrow         " + net.deployment().escrow());
    out.println("  DisputeManager " + net.disputeManager());
    out.println("  deployment     " + net.deploymentFile());
    for (Devnet.Model m : net.models().values()) {
      out.printf("  model          %-20s %s%n", m.id(), m.digest());
    }
    for (NodeProcess p : net.nodes()) {
      NodeInfo n = net.onChain(p);
      out.printf(
          "  node %d         %s  operator %s  stake %s ETH  explorer %s/explorer/  log %s%n",
          p.index(),
          p.url(),
          n.operator(),
          new BigDecimal(n.stakeWei()).divide(new BigDecimal(Devnet.ETH)).toPlainString(),
          p.url(),
          p.log());
    }
    out.printf(
        "  inferences     %d MNIST + %d TinyStories, %d/%d receipts verified, served by node"
            + " (count): %s, failovers: %d%n",
        r.mnist(), r.chats(), r.verified(), r.mnist() + r.chats(), r.servedBy(), r.failovers());
    out.println("  re-execution   " + r.reexecuted());
    out.println("  anchored       " + r.anchored());
    List<String> phases = new ArrayList<>();
    t.forEach((k, v) -> phases.add(String.format("%s %.1f s", k, v)));
    out.println("  timings        " + String.join(", ", phases));
    out.flush();
  }

  static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // Best effort: a temporary directory the OS cleans up eventually.
    }
  }
}
