package dev.verity.cli.devnet;

import dev.verity.audit.bisect.Verdict;
import dev.verity.audit.draw.AuditOutcome;
import dev.verity.audit.draw.Candidate;
import dev.verity.audit.tier.Assumptions;
import dev.verity.client.InferRequest;
import dev.verity.client.InferenceReply;
import dev.verity.client.NetworkClient;
import dev.verity.client.routing.RetryPolicy;
import dev.verity.client.routing.Routed;
import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.engine.EngineLimits;
import dev.verity.engine.InferenceResult;
import dev.verity.engine.RunOptions;
import dev.verity.engine.Tensor;
import dev.verity.engine.TensorEncoding;
import dev.verity.engine.dataset.MnistIdx;
import dev.verity.engine.strict.StrictEngine;
import dev.verity.engine.strict.StrictModel;
import dev.verity.node.audit.ChainLogs;
import dev.verity.node.audit.CheatStrategy;
import dev.verity.node.audit.SampledAudit;
import dev.verity.receipt.SignedReceipt;
import dev.verity.receipt.eth.EthAddress;
import dev.verity.settlement.NodeInfo;
import dev.verity.settlement.anvil.AnvilProcess;
import dev.verity.settlement.dispute.DisputeParameters;
import dev.verity.settlement.dispute.DisputePhase;
import dev.verity.settlement.dispute.DisputeState;
import dev.verity.settlement.evm.EvmDisputes;
import dev.verity.settlement.evm.EvmKey;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Cheating nodes in a running devnet, as separate {@code verity node} processes: one fresh node per
 * strategy (setting {@code audit-cheat}), all on one cheating operator except the {@code
 * colluding-auditor} provider, which has its own operator and a colluding auditor node (setting
 * {@code audit-collude-with}) of a third. Requests with tier {@code sample:p} go through the
 * ordinary routing client to every node; each answer is counted for the node that served it and
 * compared with a local strict run (cheated = output or trace root differs). The harness follows
 * LogAnchor and runs the same audit draw the nodes run, to know which receipts were audited and by
 * whom; detections are the DisputeManager disputes the nodes open on their own; it only moves time
 * (Anvil {@code evm_increaseTime} / {@code evm_mine}) when a dispute stalls past a party's silence.
 */
public final class AdversarialRun {
  /** Cheating operator of every strategy's node but colluding-auditor. */
  static final int CHEATER_ACCOUNT = 6;

  /** Operator of the colluding-auditor strategy's provider. */
  static final int COLLUDING_PROVIDER_ACCOUNT = 7;

  /** Operator of the auditor node that colludes with it. */
  static final int COLLUDER_ACCOUNT = 8;

  /** Operator of the lying auditor (Anvil's account 9 publishes the devnet's models). */
  static final int LIAR_ACCOUNT = 10;

  /**
   * The lying auditor stakes this many times a cheater's stake, so that it is drawn for enough
   * honest receipts in one run to show its accusations fail.
   */
  static final int LIAR_STAKE_FACTOR = 3;

  /** The devnet's honest nodes must leave these accounts free. */
  public static final int MAX_HONEST_NODES = CHEATER_ACCOUNT - 1;

  static final String CHECKPOINT_ANCHORED =
      ChainLogs.topic("CheckpointAnchored(address,uint256,uint64,bytes32)");
  static final String DISPUTE_OPENED =
      ChainLogs.topic(
          "DisputeOpened(bytes32,address,address,bytes32,uint256,uint64,bytes32,bytes32)");
  static final String NODE_BANNED = ChainLogs.topic("NodeBanned(address,address)");

  /** What to run. */
  public record Options(
      List<CheatStrategy> strategies,
      int requestsPerCheater,
      BigDecimal sampleP,
      BigInteger cheaterStakeWei,
      long seed) {
    public Options {
      strategies = List.copyOf(strategies);
      if (strategies.isEmpty() || strategies.contains(CheatStrategy.HONEST)) {
        throw new IllegalArgumentException("name one or more cheating strategies (not honest)");
      }
      if (requestsPerCheater < 1 || requestsPerCheater > 1000) {
        throw new IllegalArgumentException(
            "requests per cheater must be 1 to 1000, got " + requestsPerCheater);
      }
      if (sampleP.signum() <= 0 || sampleP.compareTo(BigDecimal.ONE) > 0) {
        throw new IllegalArgumentException("sample probability must be in (0, 1], got " + sampleP);
      }
    }
  }

  /** One row of the table. */
  public record Row(
      String label,
      Optional<CheatStrategy> strategy,
      String nodes,
      String tier,
      int served,
      int cheated,
      int auditable,
      int audited,
      int auditsRecorded,
      int detected,
      double statedDetect,
      BigInteger slashedWei,
      boolean banned,
      int falselyAccused,
      int accusationsCleared,
      String disputes) {

    /** The smaller binomial tail of detected among auditable cheated requests at stated P. */
    public double tail() {
      return AdversarialStats.smallerTail(detected, auditable, statedDetect);
    }
  }

  /** The whole run. */
  public record Result(
      List<Row> rows,
      int honestNodesAccused,
      List<String> unslashedCheaters,
      List<String> unresolved,
      List<String> falseAccusationsUpheld,
      double seconds) {
    /**
     * What the exit code reflects: no honest node accused (by an honest auditor) or convicted (by
     * anyone), every detected cheater slashed, every false accusation rejected.
     */
    public boolean passed() {
      return honestNodesAccused == 0
          && unslashedCheaters.isEmpty()
          && falseAccusationsUpheld.isEmpty();
    }
  }

  /** One answer as the client got it, with the honest run of the same input. */
  private record Answer(
      EthAddress node, SignedReceipt receipt, long logIndex, boolean cheated, Bytes digest) {}

  private record Anchor(EthAddress node, long treeSize, long block) {}

  private record Drawn(Answer answer, Optional<Candidate> auditor, long anchorBlock) {}

  private final Devnet net;
  private final Options options;
  private final PrintWriter out;
  private final long start = System.nanoTime();
  private final ChainLogs logs;
  private final EvmDisputes relay;
  private final Map<EthAddress, CheatStrategy> cheaters = new LinkedHashMap<>();
  private final Map<EthAddress, BigInteger> stakeAtStart = new HashMap<>();
  private EthAddress colluderNode;
  private EthAddress liarNode;

  /** The lying auditor's operator (derived once: each derivation is a PBKDF2 run). */
  private final EthAddress liarOperator =
      EvmKey.fromMnemonic(AnvilProcess.MNEMONIC, LIAR_ACCOUNT).address();

  private final List<Answer> answers = Collections.synchronizedList(new ArrayList<>());
  private final Map<Bytes, Drawn> drawn = new LinkedHashMap<>();
  private final Map<Bytes, EthAddress> opened = new LinkedHashMap<>();
  private final Map<Bytes, Bytes> disputeReceipt = new LinkedHashMap<>();
  private final Map<Bytes, EthAddress> challengerOf = new LinkedHashMap<>();

  /** One finding of a node's auditor ({@code GET /v1/audit/findings}). */
  private record Found(EthAddress auditor, String finding, String detail) {
    /** The audit found a mismatch, but the provider was banned before the dispute could open. */
    boolean providerAlreadyBanned() {
      return detail.contains("NodeIsBanned");
    }
  }

  /** What the nodes' auditors recorded, by receipt id. */
  private final Map<Digest, List<Found>> auditedBy = new HashMap<>();

  private AdversarialRun(Devnet net, Options options, PrintWriter out) throws Exception {
    this.net = net;
    this.options = options;
    this.out = out;
    this.logs = new ChainLogs(URI.create(net.anvil().rpcUrl()));
    this.relay =
        EvmDisputes.connect(
            net.anvil().rpcUrl(),
            net.deployment(),
            net.disputeManager(),
            EvmKey.fromMnemonic(AnvilProcess.MNEMONIC, Devnet.DEPLOYER_ACCOUNT));
  }

  /**
   * Runs the strategies in {@code net}, started with {@link #extraNodes} besides its honest nodes,
   * and prints the table.
   */
  public static Result run(Devnet net, Options options, PrintWriter out) throws Exception {
    if (net.options().nodes() > MAX_HONEST_NODES) {
      throw new IllegalArgumentException(
          "an adversarial devnet has at most "
              + MAX_HONEST_NODES
              + " honest nodes (Anvil accounts "
              + CHEATER_ACCOUNT
              + " to "
              + COLLUDER_ACCOUNT
              + " are the cheaters' operators)");
    }
    AdversarialRun r = new AdversarialRun(net, options, out);
    try {
      return r.execute();
    } finally {
      r.relay.close();
    }
  }

  private void step(String text) {
    out.printf("[%6.1fs] %s%n", (System.nanoTime() - start) / 1e9, text);
    out.flush();
  }

  private Result execute() throws Exception {
    identify();
    Set<EthAddress> honestAtStart = new LinkedHashSet<>();
    for (NodeProcess p : net.nodes().subList(0, net.options().nodes())) {
      honestAtStart.add(net.onChain(p).node());
    }
    for (NodeInfo n : net.chain().nodes()) {
      stakeAtStart.put(n.node(), n.stakeWei());
    }
    long fromBlock = relay.blockNumber();
    Digest model = net.model("mnist@7").digest();
    double f = colluderShare(model);
    sendRequests();
    followAnchorsAndDisputes(fromBlock);
    List<String> unresolved = resolveDisputes();
    collectFindings();
    return report(honestAtStart, f, unresolved);
  }

  /**
   * The nodes to start with the devnet for {@code o}: one per strategy, configured with {@code
   * audit-cheat}, on the cheating operator (the colluding-auditor provider on its own), then the
   * colluding auditor if that strategy is in.
   */
  public static List<Devnet.ExtraNode> extraNodes(Options o) {
    List<Devnet.ExtraNode> out = new ArrayList<>();
    EvmKey cheater = EvmKey.fromMnemonic(AnvilProcess.MNEMONIC, CHEATER_ACCOUNT);
    EvmKey collProvider = EvmKey.fromMnemonic(AnvilProcess.MNEMONIC, COLLUDING_PROVIDER_ACCOUNT);
    EvmKey liar = EvmKey.fromMnemonic(AnvilProcess.MNEMONIC, LIAR_ACCOUNT);
    for (CheatStrategy s : o.strategies()) {
      out.add(
          new Devnet.ExtraNode(
              "audit-cheat=" + s.id(),
              switch (s) {
                case COLLUDING_AUDITOR -> collProvider;
                case LYING_AUDITOR -> liar;
                default -> cheater;
              },
              s == CheatStrategy.LYING_AUDITOR
                  ? o.cheaterStakeWei().multiply(BigInteger.valueOf(LIAR_STAKE_FACTOR))
                  : o.cheaterStakeWei(),
              Map.of("audit-cheat", s.id())));
    }
    if (o.strategies().contains(CheatStrategy.COLLUDING_AUDITOR)) {
      out.add(
          new Devnet.ExtraNode(
              "audit-collude-with=" + collProvider.address(),
              EvmKey.fromMnemonic(AnvilProcess.MNEMONIC, COLLUDER_ACCOUNT),
              o.cheaterStakeWei(),
              Map.of("audit-collude-with", collProvider.address().toString())));
    }
    return out;
  }

  /** Finds the extra nodes of {@link #extraNodes} after the devnet's own. */
  private void identify() throws Exception {
    List<NodeProcess> all = net.nodes();
    int honest = net.options().nodes();
    if (all.size() != honest + extraNodes(options).size()) {
      throw new IllegalStateException(
          "the devnet was not started with AdversarialRun.extraNodes(options)");
    }
    for (int i = 0; i < options.strategies().size(); i++) {
      EthAddress node = net.onChain(all.get(honest + i)).node();
      cheaters.put(node, options.strategies().get(i));
      if (options.strategies().get(i) == CheatStrategy.LYING_AUDITOR) {
        liarNode = node;
      }
    }
    if (all.size() > honest + options.strategies().size()) {
      colluderNode = net.onChain(all.getLast()).node();
    }
  }

  /** The colluder's share of the capped audit weight for the colluding provider's receipts. */
  private double colluderShare(Digest model) throws Exception {
    if (colluderNode == null) {
      return 0;
    }
    EthAddress provider =
        EvmKey.fromMnemonic(AnvilProcess.MNEMONIC, COLLUDING_PROVIDER_ACCOUNT).address();
    List<Candidate> eligible = new ArrayList<>();
    for (Candidate c : SampledAudit.candidates(net.chain().nodes(), model)) {
      if (!c.operator().equals(provider)) {
        eligible.add(c);
      }
    }
    return AdversarialStats.cappedShare(
        eligible,
        List.of(EvmKey.fromMnemonic(AnvilProcess.MNEMONIC, COLLUDER_ACCOUNT).address()),
        DisputeParameters.DEVNET.capBps());
  }

  /**
   * Routes requests over every node until each cheater has answered {@code requestsPerCheater} (or
   * is banned, or a bound on the total is reached).
   */
  private void sendRequests() throws Exception {
    Path shared = net.options().shared();
    MnistIdx.Images images =
        MnistIdx.readImages(shared.resolve("datasets/mnist/t10k-images-idx3-ubyte.gz"));
    byte[] modelBytes = Files.readAllBytes(shared.resolve("models/mnist/mnist-7.onnx"));
    String policy = SampledAudit.sample(options.sampleP()).text();
    int maxTotal = options.requestsPerCheater() * (cheaters.size() + 2) * 12;
    step(
        "routing requests with tier "
            + policy
            + " over every node until each cheater served "
            + options.requestsPerCheater()
            + " (at most "
            + maxTotal
            + " requests)");
    AtomicInteger seq = new AtomicInteger();
    List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
    int threads = 3;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    // Discovery cached for 2 s (the devnet's own client re-reads the registry on every request):
    // a banned cheater leaves the routing within that.
    try (NetworkClient client =
        NetworkClient.builder()
            .maxHeartbeatAge(net.options().maxHeartbeatAge())
            .operatorCap(0.5)
            .retry(RetryPolicy.DEFAULT)
            .random(new java.util.SplittableRandom(options.seed()))
            .discoveryTtl(Duration.ofSeconds(2))
            .failurePenalty(Duration.ofSeconds(5))
            .connect(net.anvil().rpcUrl(), net.deployment())) {
      List<Future<?>> loops = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        loops.add(
            pool.submit(
                () -> {
                  try (StrictModel honest =
                      new StrictEngine().load(modelBytes, EngineLimits.DEFAULT)) {
                    while (!enoughAnswers()) {
                      int i = seq.getAndIncrement();
                      if (i >= maxTotal) {
                        return null;
                      }
                      Map<String, Tensor> in = Map.of("Input3", images.tensor(i % images.count()));
                      InferRequest req =
                          new InferRequest(
                              net.model("mnist@7").digest().toString(),
                              "strict",
                              in,
                              policy,
                              "adv-" + options.seed() + "-" + i);
                      Routed<InferenceReply> r;
                      try {
                        r = client.infer(req);
                      } catch (Exception e) {
                        errors.add(e);
                        if (errors.size() > 20) {
                          throw e;
                        }
                        continue;
                      }
                      InferenceResult truth = honest.run(in, RunOptions.WITH_TRACE);
                      SignedReceipt sr = r.value().receipt().receipt();
                      boolean cheated =
                          !sr.receipt()
                                  .outputDigest()
                                  .equals(TensorEncoding.digest(truth.outputs()))
                              || !sr.receipt()
                                  .traceRoot()
                                  .equals(truth.trace().orElseThrow().root());
                      answers.add(
                          new Answer(
                              r.node().node(),
                              sr,
                              r.value().logIndex(),
                              cheated,
                              sr.receipt().signingDigest(net.deployment().receiptDomain())));
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> l : loops) {
        l.get();
      }
    } finally {
      pool.shutdownNow();
    }
    Map<EthAddress, Integer> per = new LinkedHashMap<>();
    synchronized (answers) {
      answers.forEach(a -> per.merge(a.node(), 1, Integer::sum));
    }
    step(
        answers.size()
            + " answers ("
            + errors.size()
            + " requests failed); served by cheaters: "
            + cheaters.entrySet().stream()
                .map(e -> e.getValue().id() + " " + per.getOrDefault(e.getKey(), 0))
                .toList());
  }

  private boolean enoughAnswers() throws Exception {
    Map<EthAddress, Integer> per = new HashMap<>();
    synchronized (answers) {
      answers.forEach(a -> per.merge(a.node(), 1, Integer::sum));
    }
    for (EthAddress c : cheaters.keySet()) {
      if (per.getOrDefault(c, 0) < options.requestsPerCheater() && !banned(c)) {
        return false;
      }
    }
    return true;
  }

  private final Map<EthAddress, Boolean> bannedCache =
      new java.util.concurrent.ConcurrentHashMap<>();
  private volatile long bannedCheckedAt;

  private boolean bannedNow(EthAddress node) {
    try {
      return banned(node);
    } catch (Exception e) {
      return false;
    }
  }

  private boolean banned(EthAddress node) throws Exception {
    if (System.nanoTime() - bannedCheckedAt > 2_000_000_000L) {
      for (NodeInfo n : net.chain().nodes()) {
        bannedCache.put(n.node(), n.banned());
      }
      bannedCheckedAt = System.nanoTime();
    }
    return bannedCache.getOrDefault(node, false);
  }

  /**
   * Follows LogAnchor until every answer is anchored and drawn (the draw the nodes run, with the
   * hash of the block after the anchor), then waits for the disputes the drawn auditors open on a
   * mismatch.
   */
  private void followAnchorsAndDisputes(long fromBlock) throws Exception {
    step("following LogAnchor: every answer anchored, then the audit draw for each");
    Map<EthAddress, List<Answer>> byNode = new LinkedHashMap<>();
    for (Answer a : answers) {
      byNode.computeIfAbsent(a.node(), k -> new ArrayList<>()).add(a);
    }
    Map<EthAddress, Long> seen = new HashMap<>();
    List<Anchor> waiting = new ArrayList<>();
    long next = fromBlock;
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    String anchorAddress = net.deployment().logAnchor().toString();
    // A banned node cannot anchor any more: its later answers are never drawn.
    while (answers.stream().anyMatch(a -> !drawn.containsKey(a.digest()) && !bannedNow(a.node()))) {
      if (System.nanoTime() > deadline) {
        step("  not every answer was anchored within 90 s: " + drawn.size() + " drawn");
        break;
      }
      net.anvil().mine();
      long latest = relay.blockNumber();
      for (ChainLogs.Log l : logs.logs(anchorAddress, next, latest, CHECKPOINT_ANCHORED)) {
        byte[] d = l.data().toByteArray();
        waiting.add(
            new Anchor(
                address(l.topics().get(1)),
                new BigInteger(1, Arrays.copyOfRange(d, 0, 32)).longValueExact(),
                l.block()));
      }
      next = latest + 1;
      List<Anchor> ready = new ArrayList<>();
      waiting.removeIf(a -> a.block() < latest && ready.add(a));
      if (!ready.isEmpty()) {
        for (Anchor a : ready) {
          long from = seen.getOrDefault(a.node(), 0L);
          if (a.treeSize() <= from) {
            continue;
          }
          // As the auditors do: the registry as of the anchor block, not as it is now.
          List<NodeInfo> nodes = net.chain().nodes(a.block());
          Bytes hash = SampledAudit.blockHash(net.anvil().rpcUrl(), a.block() + 1);
          java.time.Instant anchorTime = SampledAudit.blockTime(net.anvil().rpcUrl(), a.block());
          for (Answer ans : byNode.getOrDefault(a.node(), List.of())) {
            if (ans.logIndex() >= from && ans.logIndex() < a.treeSize()) {
              AuditOutcome o =
                  SampledAudit.draw(
                      ans.receipt(),
                      nodes,
                      a.block(),
                      anchorTime,
                      a.block() + 1,
                      hash,
                      DisputeParameters.DEVNET.capBps());
              drawn.put(
                  ans.digest(),
                  new Drawn(
                      ans,
                      o instanceof AuditOutcome.Audited au
                          ? Optional.of(au.auditor())
                          : Optional.empty(),
                      a.block()));
            }
          }
          seen.put(a.node(), a.treeSize());
        }
      }
      pollDisputes(fromBlock);
      Thread.sleep(500);
    }
    // Audits that match leave nothing on-chain: give every auditor a few of its 2 s polls, and
    // wait (bounded) for the dispute of each mismatch an honest auditor was drawn for.
    long expected =
        drawn.values().stream()
            .filter(d -> d.answer().cheated() && d.auditor().isPresent())
            .filter(
                d ->
                    !d.auditor().get().node().equals(colluderNode)
                        || !cheaters.get(d.answer().node()).equals(CheatStrategy.COLLUDING_AUDITOR))
            .count();
    step(
        drawn.size()
            + " answers anchored and drawn; "
            + drawn.values().stream().filter(d -> d.auditor().isPresent()).count()
            + " audited; waiting for the auditors' disputes ("
            + expected
            + " cheated answers drawn for an honest auditor)");
    long settle = System.nanoTime() + Duration.ofSeconds(8).toNanos();
    long bound = System.nanoTime() + Duration.ofSeconds(45).toNanos();
    int last = -1;
    long quietSince = System.nanoTime();
    while (System.nanoTime() < bound) {
      pollDisputes(fromBlock);
      long got =
          opened.keySet().stream()
              .map(disputeReceipt::get)
              .distinct()
              .filter(d -> drawn.containsKey(d) && drawn.get(d).answer().cheated())
              .count();
      if (opened.size() != last) {
        last = opened.size();
        quietSince = System.nanoTime();
      }
      // Done when every expected dispute is there, or nothing new came for 10 s (a mismatch
      // audited after its provider was banned cannot be disputed).
      boolean quiet = System.nanoTime() - quietSince > Duration.ofSeconds(10).toNanos();
      if (System.nanoTime() > settle && (got >= expected || quiet)) {
        break;
      }
      Thread.sleep(1000);
    }
    // The nodes and the harness both draw over the registry as of the anchor block, so they should
    // name the same auditor; a dispute from another operator would show they did not.
    int otherChallenger = 0;
    for (Map.Entry<Bytes, EthAddress> e : challengerOf.entrySet()) {
      Drawn d = drawn.get(disputeReceipt.get(e.getKey()));
      if (d != null
          && (d.auditor().isEmpty() || !d.auditor().get().operator().equals(e.getValue()))) {
        otherChallenger++;
      }
    }
    step(
        opened.size()
            + " disputes opened by the nodes ("
            + otherChallenger
            + " by another operator than the harness's draw named)");
  }

  private void pollDisputes(long fromBlock) throws Exception {
    long latest = relay.blockNumber();
    for (ChainLogs.Log l :
        logs.logs(net.disputeManager().toString(), fromBlock, latest, DISPUTE_OPENED)) {
      Bytes id = l.topics().get(1);
      if (!opened.containsKey(id)) {
        opened.put(id, address(l.topics().get(2)));
        disputeReceipt.put(id, Bytes.copyOf(Arrays.copyOfRange(l.data().toByteArray(), 0, 32)));
        challengerOf.put(id, address(l.topics().get(3)));
      }
    }
  }

  /**
   * Waits until every opened dispute is resolved. Time only moves when a dispute stalls: a round
   * nobody moved in for 20 s has its move deadline passed on Anvil and is timed out, a pinned step
   * gets the blocks its referee draw waits for.
   */
  private List<String> resolveDisputes() throws Exception {
    step("waiting for the disputes to resolve (bisection, referees, timeouts)");
    Map<Bytes, String> stalledAt = new HashMap<>();
    Map<Bytes, Long> since = new HashMap<>();
    long bound = System.nanoTime() + Duration.ofSeconds(150).toNanos();
    while (System.nanoTime() < bound) {
      pollDisputes(0);
      int open = 0;
      for (Bytes id : opened.keySet()) {
        DisputeState s = relay.dispute(id);
        if (s.phase() == DisputePhase.RESOLVED) {
          continue;
        }
        open++;
        String key = s.phase() + "/" + s.round();
        if (!key.equals(stalledAt.get(id))) {
          stalledAt.put(id, key);
          since.put(id, System.nanoTime());
        }
        long stalledFor = System.nanoTime() - since.get(id);
        if (s.phase() == DisputePhase.AWAITING_DRAW) {
          net.anvil().mine();
        } else if (stalledFor > Duration.ofSeconds(20).toNanos()
            && (s.phase() == DisputePhase.BISECTING || s.phase() == DisputePhase.REFEREEING)) {
          long now = chainTime();
          long wait = s.deadline().getEpochSecond() - now + 1;
          if (wait > 0) {
            step(
                "  dispute "
                    + id.toHex().substring(0, 10)
                    + " stalled in "
                    + key
                    + "; moving Anvil's clock "
                    + wait
                    + " s past its deadline");
            net.anvil().increaseTime(Duration.ofSeconds(wait));
            net.anvil().mine();
          }
          try {
            if (s.phase() == DisputePhase.BISECTING) {
              relay.timeout(id);
            } else {
              relay.redraw(id);
            }
          } catch (Exception e) {
            // a node got there first, or the round moved on meanwhile
          }
          since.put(id, System.nanoTime());
        }
      }
      if (open == 0) {
        step("every dispute resolved");
        return List.of();
      }
      Thread.sleep(1000);
    }
    List<String> left = new ArrayList<>();
    for (Bytes id : opened.keySet()) {
      DisputeState s = relay.dispute(id);
      if (s.phase() != DisputePhase.RESOLVED) {
        left.add(id.toHex() + " " + s.phase() + " round " + s.round());
      }
    }
    step(left.size() + " disputes still open after 150 s");
    return left;
  }

  /**
   * Reads every running node's audit findings, and compares them with the harness's draw: each
   * answer it predicted an auditor for should be in that auditor's findings, once.
   */
  private void collectFindings() throws Exception {
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    int unreadable = 0;
    for (NodeProcess p : net.nodes()) {
      if (!p.isAlive()) {
        continue;
      }
      EthAddress auditor = net.onChain(p).node();
      java.net.http.HttpResponse<String> r =
          http.send(
              java.net.http.HttpRequest.newBuilder(p.url().resolve("/v1/audit/findings"))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        unreadable++;
        continue;
      }
      for (var f : dev.verity.node.http.Json.MAPPER.readTree(r.body()).path("findings")) {
        auditedBy
            .computeIfAbsent(Digest.parse(f.path("receiptId").asText()), k -> new ArrayList<>())
            .add(new Found(auditor, f.path("finding").asText(), f.path("detail").asText("")));
      }
    }
    int predicted = 0;
    int found = 0;
    for (Drawn d : drawn.values()) {
      if (d.auditor().isEmpty()) {
        continue;
      }
      predicted++;
      if (auditedBy.getOrDefault(d.answer().receipt().id(), List.of()).stream()
          .anyMatch(x -> x.auditor().equals(d.auditor().get().node()))) {
        found++;
      }
    }
    long recorded = auditedBy.values().stream().mapToLong(List::size).sum();
    long afterBan =
        auditedBy.values().stream()
            .flatMap(List::stream)
            .filter(Found::providerAlreadyBanned)
            .count();
    step(
        "the nodes' audit findings: "
            + recorded
            + " recorded; "
            + found
            + " of the "
            + predicted
            + " audits the draw predicted are among them; "
            + afterBan
            + " found a mismatch after the provider was already banned (not disputable)"
            + (unreadable > 0 ? " (" + unreadable + " nodes did not answer)" : ""));
  }

  private long chainTime() throws Exception {
    String r = net.anvil().rpc("eth_getBlockByNumber", "[\"latest\",false]");
    String ts =
        dev.verity.node.http.Json.MAPPER.readTree(r).path("result").path("timestamp").asText();
    return Long.parseLong(ts.substring(2), 16);
  }

  private Result report(Set<EthAddress> honestAtStart, double f, List<String> unresolved)
      throws Exception {
    Map<EthAddress, NodeInfo> now = new HashMap<>();
    for (NodeInfo n : net.chain().nodes()) {
      now.put(n.node(), n);
    }
    Map<EthAddress, Long> bannedAt = new HashMap<>();
    for (ChainLogs.Log l :
        logs.logs(
            net.deployment().nodeRegistry().toString(), 0, relay.blockNumber(), NODE_BANNED)) {
      bannedAt.putIfAbsent(address(l.topics().get(1)), l.block());
    }
    Map<Bytes, DisputeState> states = new LinkedHashMap<>();
    for (Bytes id : opened.keySet()) {
      states.put(id, relay.dispute(id));
    }
    double p = options.sampleP().doubleValue();
    List<Row> rows = new ArrayList<>();
    List<String> unslashed = new ArrayList<>();
    for (Map.Entry<EthAddress, CheatStrategy> e : cheaters.entrySet()) {
      EthAddress node = e.getKey();
      CheatStrategy s = e.getValue();
      if (!s.cheatsAsProvider()) {
        continue; // the lying auditor serves honestly: its row is the accusations below
      }
      double fr = s == CheatStrategy.COLLUDING_AUDITOR ? f : 0;
      double stated =
          SampledAudit.statedDetection(
              SampledAudit.sample(options.sampleP()), new Assumptions(fr, 8));
      Row r = row(s.id(), Optional.of(s), List.of(node), stated, fr, bannedAt, states, now);
      rows.add(r);
      if (r.detected() > 0
          && (!r.banned() || r.slashedWei().compareTo(stakeAtStart.get(node)) != 0)) {
        unslashed.add(s.id() + " (" + node + ")");
      }
    }
    List<EthAddress> honest = new ArrayList<>(honestAtStart);
    if (colluderNode != null) {
      honest.add(colluderNode);
    }
    if (liarNode != null) {
      honest.add(liarNode); // as a provider it serves honestly
    }
    Row h = row("honest nodes", Optional.empty(), honest, p, 0, bannedAt, states, now);
    rows.addFirst(h);
    // Every dispute the lying auditor opened must end for the provider: it cannot convict.
    List<String> upheld = new ArrayList<>();
    if (liarNode != null) {
      int accusations = 0;
      Map<String, Integer> outcomes = new java.util.TreeMap<>();
      for (Map.Entry<Bytes, DisputeState> e : states.entrySet()) {
        if (!challengerOf.get(e.getKey()).equals(liarOperator)) {
          continue;
        }
        DisputeState s = e.getValue();
        boolean falseAccusation =
            answers.stream()
                .anyMatch(a -> a.digest().equals(disputeReceipt.get(e.getKey())) && !a.cheated());
        if (!falseAccusation) {
          continue; // the liar disputing a cheater's receipt is an honest detection
        }
        accusations++;
        outcomes.merge(
            s.phase() == DisputePhase.RESOLVED ? "outcome " + s.outcome() : s.phase().toString(),
            1,
            Integer::sum);
        if (!cleared(s)) {
          upheld.add(e.getKey().toHex() + " against " + s.node() + ": " + s.phase());
        }
      }
      int drawnForHonest =
          (int)
              drawn.values().stream()
                  .filter(d -> !d.answer().cheated())
                  .filter(d -> d.auditor().map(c -> c.node().equals(liarNode)).orElse(false))
                  .count();
      BigInteger lost =
          stakeAtStart.get(liarNode).subtract(now.get(liarNode).stakeWei()).max(BigInteger.ZERO);
      rows.add(
          new Row(
              CheatStrategy.LYING_AUDITOR.id(),
              Optional.of(CheatStrategy.LYING_AUDITOR),
              liarNode.toString().substring(0, 10),
              "accuses honest",
              (int) answers.stream().filter(a -> a.node().equals(liarNode)).count(),
              0,
              0,
              drawnForHonest,
              (int)
                  answers.stream()
                      .filter(a -> !a.cheated())
                      .filter(
                          a ->
                              auditedBy.getOrDefault(a.receipt().id(), List.of()).stream()
                                  .anyMatch(x -> x.auditor().equals(liarNode)))
                      .count(),
              0,
              Double.NaN,
              lost,
              now.get(liarNode).banned(),
              accusations - (int) outcomes.getOrDefault("outcome " + PROVIDER_WINS, 0),
              (int) outcomes.getOrDefault("outcome " + PROVIDER_WINS, 0),
              accusations + " accused: " + (outcomes.isEmpty() ? "none" : outcomes.toString())));
    }
    int accused = 0;
    for (EthAddress n : honest) {
      // Accused: disputed by an honest auditor, or by the liar without being cleared.
      boolean disputed = false;
      for (Map.Entry<Bytes, DisputeState> e : states.entrySet()) {
        if (e.getValue().node().equals(n)
            && !(challengerOf.get(e.getKey()).equals(liarOperator) && cleared(e.getValue()))) {
          disputed = true;
        }
      }
      boolean lost =
          now.get(n).stakeWei().compareTo(stakeAtStart.get(n)) < 0 || now.get(n).banned();
      if (disputed || lost) {
        accused++;
      }
    }
    Result res =
        new Result(rows, accused, unslashed, unresolved, upheld, (System.nanoTime() - start) / 1e9);
    print(res);
    return res;
  }

  /** DisputeManager's outcome code for a dispute decided for the provider. */
  private static final int PROVIDER_WINS = Verdict.PROVIDER_CORRECT.code;

  private static boolean cleared(DisputeState s) {
    return s.phase() == DisputePhase.RESOLVED && s.outcome() == PROVIDER_WINS;
  }

  private Row row(
      String label,
      Optional<CheatStrategy> strategy,
      List<EthAddress> nodes,
      double stated,
      double f,
      Map<EthAddress, Long> bannedAt,
      Map<Bytes, DisputeState> states,
      Map<EthAddress, NodeInfo> now) {
    int served = 0;
    int cheated = 0;
    int auditable = 0;
    int audited = 0;
    int detected = 0;
    int falsely = 0;
    int cleared = 0;
    int recorded = 0;
    Set<Bytes> disputedReceipts = new LinkedHashSet<>();
    // Honest receipts the lying auditor disputed and the referees cleared: not false accusations
    // by the network, reported apart.
    Set<Bytes> clearedReceipts = new LinkedHashSet<>();
    for (Map.Entry<Bytes, EthAddress> e : opened.entrySet()) {
      Bytes receipt = disputeReceipt.get(e.getKey());
      DisputeState s = states.get(e.getKey());
      if (liarNode != null
          && challengerOf.get(e.getKey()).equals(liarOperator)
          && s != null
          && cleared(s)) {
        clearedReceipts.add(receipt);
      } else {
        disputedReceipts.add(receipt);
      }
    }
    for (Answer a : answers) {
      if (!nodes.contains(a.node())) {
        continue;
      }
      served++;
      if (auditedBy.containsKey(a.receipt().id())) {
        recorded++;
      }
      Drawn d = drawn.get(a.digest());
      boolean disputed = disputedReceipts.contains(a.digest());
      if (!a.cheated()) {
        if (disputed) {
          falsely++;
        } else if (clearedReceipts.contains(a.digest())) {
          cleared++;
        }
        if (d != null && d.auditor().isPresent()) {
          audited++;
        }
        continue;
      }
      cheated++;
      // Audits of a receipt anchored after its node was banned cannot open a dispute any more,
      // nor can an audit that ran after the ban (the auditor's finding says NodeIsBanned).
      Long ban = bannedAt.get(a.node());
      boolean beforeBan =
          d != null
              && (ban == null || d.anchorBlock() < ban)
              && auditedBy.getOrDefault(a.receipt().id(), List.of()).stream()
                  .noneMatch(Found::providerAlreadyBanned);
      if (beforeBan) {
        auditable++;
        if (d.auditor().isPresent()) {
          audited++;
        }
        if (disputed) {
          detected++;
        }
      }
    }
    BigInteger slashed = BigInteger.ZERO;
    boolean banned = false;
    for (EthAddress n : nodes) {
      slashed = slashed.add(stakeAtStart.get(n).subtract(now.get(n).stakeWei()));
      banned |= now.get(n).banned();
    }
    Map<String, Integer> outcomes = new java.util.TreeMap<>();
    for (DisputeState s : states.values()) {
      if (nodes.contains(s.node())) {
        outcomes.merge(
            s.phase() == DisputePhase.RESOLVED ? "outcome " + s.outcome() : s.phase().toString(),
            1,
            Integer::sum);
      }
    }
    String tier =
        SampledAudit.sample(options.sampleP()).text()
            + (f > 0 ? String.format(Locale.ROOT, " (f=%.3f)", f) : "");
    return new Row(
        label,
        strategy,
        nodes.size() == 1 ? nodes.getFirst().toString().substring(0, 10) : nodes.size() + " nodes",
        tier,
        served,
        cheated,
        auditable,
        audited,
        recorded,
        detected,
        stated,
        slashed,
        banned,
        falsely,
        cleared,
        outcomes.isEmpty() ? "none" : outcomes.toString());
  }

  /** Prints the table and the verdict lines. */
  void print(Result r) {
    out.println();
    out.printf(
        "%-18s | %-20s | %6s | %7s | %7s | %8s | %8s | %13s | %20s | %7s | %7s | %s%n",
        "strategy",
        "tier",
        "served",
        "cheated",
        "audited",
        "findings",
        "detected",
        "stated P(det)",
        "stake slashed (wei)",
        "falsely",
        "cleared",
        "disputes");
    for (Row row : r.rows()) {
      out.printf(
          Locale.ROOT,
          "%-18s | %-20s | %6d | %7d | %7d | %8d | %8s | %13s | %20s | %7d | %7d | %s%n",
          row.label(),
          row.tier(),
          row.served(),
          row.cheated(),
          row.audited(),
          row.auditsRecorded(),
          row.strategy().isEmpty() || row.auditable() == row.cheated()
              ? Integer.toString(row.detected())
              : row.detected() + "/" + row.auditable(),
          Double.isNaN(row.statedDetect())
              ? "-"
              : String.format(Locale.ROOT, "%.3f", row.statedDetect()),
          row.slashedWei(),
          row.falselyAccused(),
          row.accusationsCleared(),
          row.disputes());
    }
    out.println(
        "(detected a/b: b of the cheated answers were anchored and audited before the node was"
            + " banned; later ones could not be disputed any more. falsely: honest answers disputed by an honest"
            + " auditor or convicted; cleared: honest answers the lying auditor disputed and the"
            + " referees cleared; lying-auditor audited: honest answers it was drawn for. audited:"
            + " the draw's prediction; findings: answers in some node's GET /v1/audit/findings)");
    out.printf(
        Locale.ROOT,
        "honest nodes falsely accused: %d; detected cheaters not slashed: %s; disputes left"
            + " open: %d; %.0f s%n",
        r.honestNodesAccused(),
        r.unslashedCheaters().isEmpty() ? "none" : r.unslashedCheaters(),
        r.unresolved().size(),
        r.seconds());
    for (Row row : r.rows()) {
      if (row.strategy().isPresent() && row.auditable() > 0 && row.tail() < AdversarialStats.TAIL) {
        out.printf(
            Locale.ROOT,
            "warning: %s detected %d of %d, implausible at stated P(detect) %.3f (tail %.2g)%n",
            row.label(),
            row.detected(),
            row.auditable(),
            row.statedDetect(),
            row.tail());
      }
    }
    if (!r.falseAccusationsUpheld().isEmpty()) {
      out.println("false accusations not cleared: " + r.falseAccusationsUpheld());
    }
    out.println(r.passed() ? "adversarial run: PASSED" : "adversarial run: FAILED");
    out.flush();
  }

  private static EthAddress address(Bytes topic) {
    return new EthAddress(Bytes.copyOf(Arrays.copyOfRange(topic.toByteArray(), 12, 32)));
  }
}
