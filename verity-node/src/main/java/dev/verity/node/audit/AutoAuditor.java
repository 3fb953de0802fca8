package dev.verity.node.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.verity.audit.bisect.TraceParty;
import dev.verity.audit.chain.OnChainDispute;
import dev.verity.audit.draw.AuditOutcome;
import dev.verity.audit.llm.LlmParties;
import dev.verity.audit.reexec.AuditResult;
import dev.verity.audit.reexec.StrictAudit;
import dev.verity.audit.strict.StrictParties;
import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.engine.EngineLimits;
import dev.verity.engine.RunOptions;
import dev.verity.engine.Tensor;
import dev.verity.engine.TensorJson;
import dev.verity.engine.TraceCommitment;
import dev.verity.engine.TraceOpening;
import dev.verity.engine.ort.OrtEngine;
import dev.verity.engine.ort.OrtTolerance;
import dev.verity.engine.strict.StrictEngine;
import dev.verity.engine.strict.StrictModel;
import dev.verity.llm.trace.ProvenLeaf;
import dev.verity.log.bundle.BundleJson;
import dev.verity.log.fs.AtomicFiles;
import dev.verity.log.note.Checkpoint;
import dev.verity.log.tile.TileClient;
import dev.verity.node.http.Json;
import dev.verity.node.openai.LlmReplay;
import dev.verity.node.openai.LlmRequest;
import dev.verity.receipt.Receipt;
import dev.verity.receipt.ReceiptCodec;
import dev.verity.receipt.SignedReceipt;
import dev.verity.receipt.VerificationPolicy;
import dev.verity.receipt.eth.EthAddress;
import dev.verity.settlement.Deployment;
import dev.verity.settlement.NodeInfo;
import dev.verity.settlement.SettlementException;
import dev.verity.settlement.dispute.DisputePhase;
import dev.verity.settlement.dispute.DisputeState;
import dev.verity.settlement.evm.EvmDisputes;
import dev.verity.settlement.evm.EvmSettlement;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node as an autonomous auditor. It watches LogAnchor's {@code CheckpointAnchored} events; for
 * each checkpoint of another operator's node it reads the new log entries from the peer's public
 * tiles (authenticated against the anchored root), and for every sample:p receipt it runs the draw
 * with the hash of the block after the anchor, over the registry as of the anchor block (nodes
 * polling before and after a registry change then agree on the auditor; docs/DRAW.md in
 * verity-audit). When this node is the drawn auditor it fetches the request from the peer and
 * re-executes it. A strict receipt is re-run with the strict engine; on a mismatch the auditor
 * opens a dispute with its own trace, offers its evidence to the referees and plays every round to
 * the end (moves, referee draw, timeout of a silent provider). An ORT receipt is re-run with the
 * pinned ORT configuration and compared within {@link OrtTolerance#DEFAULT}; it signs no trace, so
 * a bisection dispute over it could not be won, and an excess is reported (log and {@link
 * #findings()}), never disputed.
 */
public final class AutoAuditor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AutoAuditor.class);
  static final String CHECKPOINT_ANCHORED =
      ChainLogs.topic("CheckpointAnchored(address,uint256,uint64,bytes32)");

  private record Anchor(EthAddress node, long treeSize, Bytes root, long block) {}

  /**
   * An open dispute: this node's side, and what rebuilds it after a restart. {@code output}, when
   * present, is the output this node claims: a strict dispute is recorded before its open
   * transaction is sent, and one the chain does not know is opened again with it.
   */
  private record Playing(
      TraceParty<?> party,
      SignedReceipt receipt,
      Map<String, Tensor> inputs,
      Optional<LlmRequest> llm,
      Optional<Digest> output) {
    Playing(TraceParty<?> party, SignedReceipt receipt, Map<String, Tensor> inputs) {
      this(party, receipt, inputs, Optional.empty(), Optional.empty());
    }
  }

  /** The on-disk state's format tag (docs/AUDIT.md, "Auditor state"). */
  public static final String STATE_FORMAT = "verity-auditor-state/v1";

  /** What an audit found. */
  public enum Finding {
    /** Strict receipt reproduced bit for bit. */
    MATCH,
    /** Strict receipt not reproduced: a dispute was opened. */
    MISMATCH_DISPUTED,
    /** ORT receipt: every output within tolerance of the auditor's pinned run. */
    WITHIN_TOLERANCE,
    /** ORT receipt: an output beyond tolerance, or outputs not the signed ones. Reported only. */
    EXCEEDED_TOLERANCE,
    /** The receipt could not be audited (engine, version, bundle withheld or inconsistent). */
    UNAUDITABLE,
    /**
     * LLM receipt whose trace is reproduced but whose output is not: the last sampled token is in
     * no trace leaf, so no step can be pinned. Reported only, never disputed.
     */
    MISMATCH_REPORTED
  }

  /** One receipt this node was drawn to audit, and what it found. */
  public record Audit(
      Digest receiptId,
      String requestId,
      EthAddress node,
      String engine,
      Finding finding,
      String detail) {}

  private final EvmSettlement settlement;
  private final Deployment deployment;
  private final EvmDisputes challenger;
  private final String rpcUrl;
  private final ChainLogs logs;
  private final EthAddress self;
  private final RefereeDuty.Models models;
  private final DisputeEvidence evidence;
  private final BigInteger bond;
  private final int capBps;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final List<Anchor> waiting = new ArrayList<>();
  private final Map<EthAddress, Long> seen = new HashMap<>();
  private final Map<Bytes, Playing> disputes = new LinkedHashMap<>();
  private final Map<Bytes, Integer> movedRound = new HashMap<>();
  private final List<Audit> findings = new ArrayList<>();
  private final Set<Digest> audited = new HashSet<>();
  private long fromBlock;
  private int audits;
  private Path stateFile;
  private byte[] saved;
  private ScheduledExecutorService timer;
  private java.util.function.BiPredicate<EthAddress, EthAddress> colludes = (node, op) -> false;
  private boolean accusesHonestReceipts;
  private LlmReplay llm;

  /**
   * @param challenger opens and plays disputes (the operator's funded account, which pays bonds)
   * @param self this node's address: the draw names nodes
   */
  public AutoAuditor(
      EvmSettlement settlement,
      Deployment deployment,
      EvmDisputes challenger,
      String rpcUrl,
      EthAddress self,
      RefereeDuty.Models models,
      DisputeEvidence evidence,
      BigInteger bond,
      int capBps) {
    this.settlement = settlement;
    this.deployment = deployment;
    this.challenger = challenger;
    this.rpcUrl = rpcUrl;
    this.logs = new ChainLogs(URI.create(rpcUrl));
    this.self = self;
    this.models = models;
    this.evidence = evidence;
    this.bond = bond;
    this.capBps = capBps;
    this.fromBlock = deployment.deployedAtBlock();
  }

  /**
   * Also audits LLM receipts: re-generates with the archived request the peer serves and this
   * node's copy of the model. Call before {@link #withState}, which rebuilds open LLM disputes.
   */
  public synchronized AutoAuditor withLlm(LlmReplay llm) {
    this.llm = llm;
    return this;
  }

  /**
   * Keeps this auditor's state in {@code file} (cursors, anchors waiting for their draw block, what
   * it audited and found, its open disputes with the receipt and inputs that rebuild its side), and
   * resumes from it if it exists: a restarted node neither audits a receipt twice nor abandons a
   * dispute it opened. Written atomically after every change.
   *
   * @throws IOException if the file exists but is not a valid state file (the node does not start
   *     from scratch over it: that could audit receipts twice and abandon open disputes)
   */
  public synchronized AutoAuditor withState(Path file) throws IOException {
    if (timer != null) {
      throw new IllegalStateException("state must be set before start");
    }
    stateFile = file;
    if (Files.exists(file)) {
      try {
        load(Json.MAPPER.readTree(Files.readAllBytes(file)));
      } catch (Exception e) {
        throw new IOException("auditor state " + file + " is not valid: " + e.getMessage(), e);
      }
      LOG.info(
          "auditor resumed from {}: block {}, {} audits, {} open disputes",
          file,
          fromBlock,
          findings.size(),
          disputes.size());
    }
    return this;
  }

  /**
   * Fault injection for adversarial tests: receipts of nodes for which {@code colludes} (node,
   * operator) holds are reported as matches without re-execution.
   */
  public synchronized AutoAuditor colluding(
      java.util.function.BiPredicate<EthAddress, EthAddress> colludes) {
    this.colludes = java.util.Objects.requireNonNull(colludes, "colludes");
    return this;
  }

  /**
   * Fault injection for adversarial tests: every strict receipt that reproduces is disputed anyway,
   * with a trace that lies about one intermediate tensor (a false accusation the referees must
   * reject).
   */
  public synchronized AutoAuditor accusingHonestReceipts(boolean on) {
    this.accusesHonestReceipts = on;
    return this;
  }

  public synchronized AutoAuditor start(Duration every) {
    if (timer != null) {
      throw new IllegalStateException("already started");
    }
    timer =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("verity-auditor").factory());
    timer.scheduleWithFixedDelay(
        () -> {
          try {
            poll();
          } catch (Exception e) {
            LOG.warn("auditor poll failed: {}", e.toString());
          }
        },
        0,
        every.toMillis(),
        TimeUnit.MILLISECONDS);
    return this;
  }

  /** Receipts this node re-executed as the drawn auditor. */
  public synchronized int audits() {
    return audits;
  }

  /** Every audit this node ran as the drawn auditor, oldest first. */
  public synchronized List<Audit> findings() {
    return List.copyOf(findings);
  }

  /** Disputes this node opened and has not seen resolved. */
  public synchronized int openDisputes() {
    return disputes.size();
  }

  /** One pass: new anchors, draws and audits, then one step of every open dispute. */
  public synchronized void poll() throws Exception {
    long latest = challenger.blockNumber();
    if (latest >= fromBlock) {
      for (ChainLogs.Log l :
          logs.logs(deployment.logAnchor().toString(), fromBlock, latest, CHECKPOINT_ANCHORED)) {
        byte[] d = l.data().toByteArray();
        waiting.add(
            new Anchor(
                new EthAddress(
                    Bytes.copyOf(Arrays.copyOfRange(l.topics().get(1).toByteArray(), 12, 32))),
                new BigInteger(1, Arrays.copyOfRange(d, 0, 32)).longValueExact(),
                Bytes.copyOf(Arrays.copyOfRange(d, 32, 64)),
                l.block()));
      }
      fromBlock = latest + 1;
    }
    // The draw needs the hash of the block after the anchor: wait until it exists.
    List<Anchor> ready = new ArrayList<>();
    waiting.removeIf(a -> a.block() < latest && ready.add(a));
    if (!ready.isEmpty()) {
      // The draw for an anchor in block a uses the registry as of block a (docs/AUDIT.md): every
      // node computes it alike whenever it polls, whatever registered, was banned or restaked
      // since.
      Map<Long, List<NodeInfo>> registryAt = new HashMap<>();
      for (Anchor a : ready) {
        try {
          List<NodeInfo> nodes = registryAt.get(a.block());
          if (nodes == null) {
            nodes = settlement.nodes(a.block());
            registryAt.put(a.block(), nodes);
          }
          anchored(a, nodes);
        } catch (Exception e) {
          LOG.warn(
              "cannot audit the checkpoint of {} at {}: {}", a.node(), a.treeSize(), e.toString());
        }
      }
    }
    play(latest);
    save();
  }

  /**
   * @param nodes the registry as of the anchor's block: who may be drawn, with what stake, and
   *     which operator the provider and this node belonged to then
   */
  private void anchored(Anchor a, List<NodeInfo> nodes) throws Exception {
    Optional<NodeInfo> peer = nodes.stream().filter(n -> n.node().equals(a.node())).findFirst();
    Optional<NodeInfo> me = nodes.stream().filter(n -> n.node().equals(self)).findFirst();
    if (peer.isEmpty() || me.isEmpty() || peer.get().operator().equals(me.get().operator())) {
      // Not registered at the anchor block: never a candidate of its draw. Own operator: excluded.
      return;
    }
    long from = seen.getOrDefault(a.node(), 0L);
    if (a.treeSize() <= from) {
      return;
    }
    // Where to fetch is not part of the draw: the peer's current endpoint, if it moved since.
    URI base =
        URI.create(settlement.node(a.node()).map(NodeInfo::endpoint).orElse(peer.get().endpoint()));
    TileClient tiles =
        new TileClient(
            new Checkpoint("anchored", a.treeSize(), a.root()),
            path -> get(base.resolve(path.startsWith("/") ? path : "/" + path)));
    Bytes drawHash = SampledAudit.blockHash(rpcUrl, a.block() + 1);
    Instant anchorTime = SampledAudit.blockTime(rpcUrl, a.block());
    for (long bundle = from / 256; bundle * 256 < a.treeSize(); bundle++) {
      List<byte[]> entries = tiles.entries(bundle);
      for (int i = 0; i < entries.size(); i++) {
        long index = bundle * 256 + i;
        if (index < from) {
          continue;
        }
        SignedReceipt r = ReceiptCodec.decode(Bytes.copyOf(entries.get(i)));
        if (!(r.receipt().policy() instanceof VerificationPolicy.Sample)
            || !r.receipt().node().equals(a.node())) {
          continue;
        }
        if (audited.contains(r.id())) {
          continue; // audited before a restart that came before this checkpoint was recorded
        }
        AuditOutcome o =
            SampledAudit.draw(r, nodes, a.block(), anchorTime, a.block() + 1, drawHash, capBps);
        if (o instanceof AuditOutcome.Audited au && au.auditor().node().equals(self)) {
          if (colludes.test(a.node(), peer.get().operator())) {
            audits++;
            LOG.warn(
                "fault injection: drawn to audit {} of {}; reporting a match without checking",
                r.receipt().requestId(),
                a.node());
            found(r, Finding.MATCH, "fault injection: colluding auditor, not re-executed");
            continue;
          }
          try {
            audit(base, r);
          } catch (IOException e) {
            // Peer unreachable or state not written: no finding; this checkpoint is not marked
            // seen, so the node's next checkpoint covers the receipt again.
            throw e;
          } catch (Exception e) {
            found(r, Finding.UNAUDITABLE, e.toString());
            LOG.warn("cannot audit {} of {}: {}", r.receipt().requestId(), a.node(), e.toString());
          }
        }
      }
    }
    seen.put(a.node(), a.treeSize());
    save();
  }

  /**
   * Audits one receipt on request, drawn or not: for a node's operator whose replica disagreed with
   * another (replicate:k), or anyone who holds a receipt it doubts. The receipt is fetched from
   * {@code peer}'s bundle and must be signed under this deployment's domain by a registered node of
   * another operator. A strict receipt that does not reproduce is disputed and played to the end,
   * exactly as a drawn audit; an ORT receipt is compared within tolerance and only reported. A
   * receipt this auditor already audited is not audited again: its earlier finding is returned.
   */
  public synchronized Audit challenge(URI peer, String requestId) throws Exception {
    byte[] raw =
        get(peer.resolve(
                "/v1/receipts/" + URLEncoder.encode(requestId, StandardCharsets.UTF_8) + "/bundle"))
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        peer + " serves no bundle for request '" + requestId + "'"));
    SignedReceipt r =
        BundleJson.parse(Json.MAPPER.readTree(raw).path("receiptBundle").toString()).receipt();
    if (!r.domain().equals(deployment.receiptDomain())) {
      throw new IllegalArgumentException(
          "the receipt is signed for another deployment: " + r.domain());
    }
    r.verify();
    for (Audit a : findings) {
      if (a.receiptId().equals(r.id())) {
        return a;
      }
    }
    List<NodeInfo> nodes = settlement.nodes();
    NodeInfo provider =
        nodes.stream()
            .filter(n -> n.node().equals(r.receipt().node()))
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "receipt node " + r.receipt().node() + " is not registered"));
    Optional<NodeInfo> me = nodes.stream().filter(n -> n.node().equals(self)).findFirst();
    if (me.isPresent() && me.get().operator().equals(provider.operator())) {
      throw new IllegalArgumentException("the receipt is this operator's own node's");
    }
    int before = findings.size();
    audit(peer, r);
    if (findings.size() == before) {
      throw new IllegalStateException("the audit of " + requestId + " recorded no finding");
    }
    return findings.getLast();
  }

  private void found(SignedReceipt r, Finding f, String detail) throws IOException {
    findings.add(
        new Audit(
            r.id(),
            r.receipt().requestId(),
            r.receipt().node(),
            r.receipt().engineId(),
            f,
            detail));
    audited.add(r.id());
    save();
  }

  private void audit(URI peer, SignedReceipt r) throws Exception {
    String engine = r.receipt().engineId();
    if (llm != null && LlmReplay.isLlm(r.receipt())) {
      audits++;
      auditLlm(peer, r);
      return;
    }
    if (!StrictEngine.ID.equals(engine) && !OrtEngine.ID.equals(engine)) {
      found(r, Finding.UNAUDITABLE, "no auditor for engine " + engine);
      return;
    }
    audits++;
    byte[] raw =
        get(peer.resolve(
                "/v1/receipts/"
                    + URLEncoder.encode(r.receipt().requestId(), StandardCharsets.UTF_8)
                    + "/bundle"))
            .orElseThrow(() -> new IllegalStateException("the peer withholds the bundle"));
    JsonNode bundle = Json.MAPPER.readTree(raw);
    long max = EngineLimits.DEFAULT.maxTotalBytes();
    Map<String, Tensor> inputs = TensorJson.parseMap(bundle.get("inputs"), "input", max);
    byte[] model = models.bytes(r.receipt().modelDigest());
    if (OrtEngine.ID.equals(engine)) {
      if (bundle.get("outputs") == null) {
        throw new IllegalStateException("the peer's bundle carries no outputs");
      }
      auditOrt(r, model, inputs, TensorJson.parseMap(bundle.get("outputs"), "output", max));
      return;
    }
    switch (StrictAudit.audit(model, inputs, r.receipt(), EngineLimits.DEFAULT)) {
      case AuditResult.Match m when accusesHonestReceipts -> accuseFalsely(r, model, inputs);
      case AuditResult.Match m -> {
        found(r, Finding.MATCH, "");
        LOG.info("audited {} of {}: match", r.receipt().requestId(), r.receipt().node());
      }
      case AuditResult.Mismatch m -> {
        TraceParty<TraceOpening> mine = StrictParties.honest(m.auditorTrace());
        Opening o =
            openWrittenAhead(
                r, new Playing(mine, r, inputs, Optional.empty(), Optional.of(m.auditorOutput())));
        evidence.offer(o.id(), r, inputs, mine);
        found(r, Finding.MISMATCH_DISPUTED, m.reason() + "; dispute " + o.id().toHex());
        LOG.warn(
            "audit of {} by {}: {}; {} dispute {}",
            r.receipt().requestId(),
            r.receipt().node(),
            m.reason(),
            o.opened() ? "opened" : "recorded (to be opened)",
            o.id().toHex());
      }
    }
  }

  /** The lying auditor's dispute over a receipt it reproduced: its trace lies about one tensor. */
  private void accuseFalsely(SignedReceipt r, byte[] model, Map<String, Tensor> inputs)
      throws Exception {
    TraceCommitment trace;
    try (StrictModel m = new StrictEngine().load(model, EngineLimits.DEFAULT)) {
      trace = m.run(inputs, RunOptions.WITH_TRACE).trace().orElseThrow();
    }
    long leaf = trace.leafCount() / 3;
    TraceParty<TraceOpening> lie =
        StrictParties.lyingAbout(
            trace, leaf, FaultInjector.perturb(trace.open(leaf).tensor(), true));
    Bytes id = OnChainDispute.open(challenger, r, lie, r.receipt().outputDigest(), bond);
    evidence.offer(id, r, inputs, lie);
    disputes.put(id, new Playing(lie, r, inputs));
    found(r, Finding.MISMATCH_DISPUTED, "fault injection: false accusation; dispute " + id.toHex());
    LOG.warn(
        "fault injection: {} of {} reproduces; disputed it anyway with a lying trace ({})",
        r.receipt().requestId(),
        r.receipt().node(),
        id.toHex());
  }

  /**
   * LLM: fetch the archived request from the peer ({@code GET /v1/llm/requests/{inputDigest}}),
   * which must digest to the receipt's input digest, re-generate with this node's copy of the model
   * and the request's sampling parameters and seed, and compare the output digest and trace root. A
   * mismatch opens a dispute with this node's own trace, exactly as for a strict receipt.
   */
  private void auditLlm(URI peer, SignedReceipt r) throws Exception {
    Receipt rc = r.receipt();
    byte[] raw =
        get(peer.resolve("/v1/llm/requests/" + rc.inputDigest()))
            .orElseThrow(() -> new IllegalStateException("the peer withholds the LLM request"));
    LlmRequest request = LlmRequest.parse(Json.MAPPER.readTree(raw));
    if (!request.digest().equals(rc.inputDigest())) {
      throw new IllegalStateException(
          "the peer's LLM request does not digest to the receipt's input");
    }
    LlmReplay.Replayed again = llm.replay(rc.modelDigest(), request);
    TraceParty<ProvenLeaf> mine = LlmParties.honest(again.trace());
    boolean sameOutput = again.output().equals(rc.outputDigest());
    boolean sameTrace = mine.root().equals(rc.traceRoot()) && mine.leafCount() == rc.traceLeaves();
    if (sameOutput && sameTrace) {
      found(r, Finding.MATCH, "");
      LOG.info("audited LLM {} of {}: match", rc.requestId(), rc.node());
      return;
    }
    String reason =
        sameTrace
            ? "output digest " + rc.outputDigest() + " != re-generated " + again.output()
            : "trace root " + rc.traceRoot() + " != re-generated " + mine.root();
    if (sameTrace) {
      // Only the last sampled token can differ under an equal trace: no leaf to bisect to.
      found(r, Finding.MISMATCH_REPORTED, reason);
      LOG.warn(
          "DETECTED: LLM receipt {} of {}: {}; reported, no dispute: no trace step covers it",
          rc.requestId(),
          rc.node(),
          reason);
      return;
    }
    Opening o =
        openWrittenAhead(
            r, new Playing(mine, r, Map.of(), Optional.of(request), Optional.of(again.output())));
    evidence.offerLlm(o.id(), r, request, mine);
    found(r, Finding.MISMATCH_DISPUTED, reason + "; dispute " + o.id().toHex());
    LOG.warn(
        "audit of LLM {} by {}: {}; {} dispute {}",
        rc.requestId(),
        rc.node(),
        reason,
        o.opened() ? "opened" : "recorded (to be opened)",
        o.id().toHex());
  }

  /**
   * ORT: re-run with the pinned configuration, compare within tolerance. No dispute: the receipt
   * commits to no trace, so there is no step to bisect to and nothing a referee could re-execute.
   */
  private void auditOrt(
      SignedReceipt r, byte[] model, Map<String, Tensor> inputs, Map<String, Tensor> outputs)
      throws Exception {
    Path tmp = Files.createTempFile("verity-ort-audit-", ".onnx");
    OrtAudit.Result result;
    try {
      Files.write(tmp, model);
      result = OrtAudit.audit(tmp, inputs, outputs, r.receipt(), OrtTolerance.DEFAULT);
    } finally {
      Files.deleteIfExists(tmp);
    }
    switch (result) {
      case OrtAudit.Result.Within w -> {
        found(r, Finding.WITHIN_TOLERANCE, "");
        LOG.info(
            "audited ORT {} of {}: within tolerance", r.receipt().requestId(), r.receipt().node());
      }
      case OrtAudit.Result.Exceeded x -> {
        found(r, Finding.EXCEEDED_TOLERANCE, x.reason());
        LOG.warn(
            "DETECTED: ORT receipt {} of {} is beyond tolerance ({}); reported, no dispute: ORT"
                + " receipts have no trace to bisect",
            r.receipt().requestId(),
            r.receipt().node(),
            x.reason());
      }
    }
  }

  private void play(long latest) {
    for (var it = disputes.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      Bytes id = e.getKey();
      try {
        Optional<DisputeState> known = knownDispute(id);
        if (known.isEmpty()) {
          // Recorded, but its open transaction never landed (a crash or a failed send).
          Playing p = e.getValue();
          if (p.output().isEmpty()) {
            it.remove();
            continue;
          }
          try {
            OnChainDispute.open(challenger, p.receipt(), p.party(), p.output().get(), bond);
            LOG.info("opened recorded dispute {}", id.toHex());
          } catch (SettlementException x) {
            if (x.errorName().isEmpty()) {
              throw x;
            }
            LOG.warn("recorded dispute {} cannot be opened: {}", id.toHex(), x.getMessage());
            it.remove();
          }
          continue;
        }
        DisputeState s = known.get();
        switch (s.phase()) {
          case BISECTING -> {
            if (s.deadline().getEpochSecond() < chainTime()) {
              // Nobody can move any more: settle it (the contract rules on who missed the move).
              challenger.timeout(id);
            } else if (!Integer.valueOf(s.round()).equals(movedRound.get(id))) {
              try {
                OnChainDispute.move(challenger, id, e.getValue().party());
              } catch (SettlementException x) {
                // Moved before a restart that came before the round was recorded: carry on.
                if (!String.valueOf(x.getMessage()).contains("AlreadyMoved")) {
                  throw x;
                }
              }
              movedRound.put(id, s.round());
            }
          }
          case AWAITING_DRAW -> {
            if (latest > s.drawBlock()) {
              challenger.drawReferees(id);
            }
          }
          case RESOLVED, NONE -> {
            LOG.info("dispute {} resolved with outcome {}", id.toHex(), s.outcome());
            movedRound.remove(id);
            it.remove();
          }
          case AWAITING_PROVIDER_TRACE -> {
            // A receipt without a trace: the provider owes its root (commitTrace) by the deadline.
            if (s.deadline().getEpochSecond() < chainTime()) {
              challenger.timeout(id);
            }
          }
          case REFEREEING -> {}
        }
      } catch (SettlementException | RuntimeException x) {
        LOG.warn("dispute {}: {}", id.toHex(), x.getMessage());
      }
    }
  }

  /** A dispute this node recorded, and whether its open transaction landed. */
  private record Opening(Bytes id, boolean opened) {}

  /**
   * Records the dispute in the state file, then sends its open transaction. Written ahead: a crash
   * between the transaction and the state write would leave a dispute nobody plays (the challenger
   * then loses by timeout). The id is known before sending ({@code DisputeManager.disputeId}), and
   * {@link #play} opens a recorded dispute the chain does not know. A send the contract refuses
   * drops the record and throws.
   */
  private Opening openWrittenAhead(SignedReceipt r, Playing entry) throws Exception {
    Digest output = entry.output().orElseThrow();
    Bytes id = challenger.disputeId(r, entry.party().root(), output);
    disputes.put(id, entry);
    save();
    try {
      Bytes opened = OnChainDispute.open(challenger, r, entry.party(), output, bond);
      if (!opened.equals(id)) {
        throw new IllegalStateException(
            "DisputeManager opened " + opened.toHex() + ", not the expected " + id.toHex());
      }
      return new Opening(id, true);
    } catch (SettlementException e) {
      if (e.errorName().isPresent()) {
        disputes.remove(id); // refused by the contract: there is nothing to play
        save();
        throw e;
      }
      // Unknown whether it was sent: play() checks the chain and sends it again if need be.
      LOG.warn("opening dispute {} failed ({}); will retry", id.toHex(), e.getMessage());
      return new Opening(id, false);
    }
  }

  /** The dispute as DisputeManager holds it; empty if it was never opened. */
  private Optional<DisputeState> knownDispute(Bytes id) throws SettlementException {
    try {
      DisputeState s = challenger.dispute(id);
      return s.phase() == DisputePhase.NONE ? Optional.empty() : Optional.of(s);
    } catch (SettlementException e) {
      if (e.errorName().filter("UnknownDispute"::equals).isPresent()) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** Writes the state if it changed since the last write. */
  private void save() throws IOException {
    if (stateFile == null) {
      return;
    }
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("format", STATE_FORMAT);
    o.put("fromBlock", fromBlock);
    ArrayNode w = o.putArray("waiting");
    for (Anchor a : waiting) {
      ObjectNode x = w.addObject();
      x.put("node", a.node().toString());
      x.put("treeSize", a.treeSize());
      x.put("root", a.root().toHex());
      x.put("block", a.block());
    }
    ObjectNode sn = o.putObject("seen");
    seen.forEach((node, size) -> sn.put(node.toString(), size));
    o.put("audits", audits);
    ArrayNode f = o.putArray("findings");
    for (Audit a : findings) {
      ObjectNode x = f.addObject();
      x.put("receiptId", a.receiptId().toString());
      x.put("requestId", a.requestId());
      x.put("node", a.node().toString());
      x.put("engine", a.engine());
      x.put("finding", a.finding().name());
      x.put("detail", a.detail());
    }
    ArrayNode d = o.putArray("disputes");
    for (Map.Entry<Bytes, Playing> e : disputes.entrySet()) {
      ObjectNode x = d.addObject();
      x.put("id", e.getKey().toHex());
      x.put("receipt", ReceiptCodec.encode(e.getValue().receipt()).toHex());
      x.put("root", e.getValue().party().root().toString());
      x.set("inputs", TensorJson.toJson(e.getValue().inputs(), true));
      e.getValue().llm().ifPresent(l -> x.set("llmRequest", l.toJson()));
      e.getValue().output().ifPresent(out -> x.put("output", out.toString()));
      Integer moved = movedRound.get(e.getKey());
      if (moved != null) {
        x.put("movedRound", moved);
      }
    }
    byte[] bytes = Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(o);
    if (!Arrays.equals(bytes, saved)) {
      Files.createDirectories(stateFile.toAbsolutePath().getParent());
      AtomicFiles.write(stateFile, bytes);
      saved = bytes;
    }
  }

  private void load(JsonNode o) throws Exception {
    if (!STATE_FORMAT.equals(o.path("format").asText())) {
      throw new IllegalArgumentException(
          "format is '" + o.path("format").asText() + "', expected " + STATE_FORMAT);
    }
    fromBlock = Math.max(fromBlock, required(o, "fromBlock").asLong());
    for (JsonNode x : o.path("waiting")) {
      waiting.add(
          new Anchor(
              EthAddress.parse(required(x, "node").asText()),
              required(x, "treeSize").asLong(),
              Bytes.fromHex(required(x, "root").asText()),
              required(x, "block").asLong()));
    }
    o.path("seen")
        .properties()
        .forEach(e -> seen.put(EthAddress.parse(e.getKey()), e.getValue().asLong()));
    audits = o.path("audits").asInt();
    for (JsonNode x : o.path("findings")) {
      Audit a =
          new Audit(
              Digest.parse(required(x, "receiptId").asText()),
              required(x, "requestId").asText(),
              EthAddress.parse(required(x, "node").asText()),
              required(x, "engine").asText(),
              Finding.valueOf(required(x, "finding").asText()),
              x.path("detail").asText());
      findings.add(a);
      audited.add(a.receiptId());
    }
    for (JsonNode x : o.path("disputes")) {
      Bytes id = Bytes.fromHex(required(x, "id").asText());
      SignedReceipt r = ReceiptCodec.decode(Bytes.fromHex(required(x, "receipt").asText()));
      if (x.has("llmRequest")) {
        resumeLlm(id, r, x);
        continue;
      }
      Map<String, Tensor> inputs =
          TensorJson.parseMap(required(x, "inputs"), "input", EngineLimits.DEFAULT.maxTotalBytes());
      // Strict runs are deterministic: re-executing rebuilds this node's committed trace exactly.
      TraceCommitment trace;
      try (StrictModel m =
          new StrictEngine().load(models.bytes(r.receipt().modelDigest()), EngineLimits.DEFAULT)) {
        trace = m.run(inputs, RunOptions.WITH_TRACE).trace().orElseThrow();
      }
      Digest root = Digest.parse(required(x, "root").asText());
      if (!trace.root().equals(root)) {
        throw new IllegalStateException(
            "dispute "
                + id.toHex()
                + ": re-execution gives trace root "
                + trace.root()
                + ", not the committed "
                + root);
      }
      TraceParty<TraceOpening> mine = StrictParties.honest(trace);
      evidence.offer(id, r, inputs, mine);
      Optional<Digest> output =
          x.has("output") ? Optional.of(Digest.parse(x.get("output").asText())) : Optional.empty();
      disputes.put(id, new Playing(mine, r, inputs, Optional.empty(), output));
      if (x.has("movedRound")) {
        movedRound.put(id, x.get("movedRound").asInt());
      }
    }
  }

  /** An open dispute over an LLM receipt: re-generation rebuilds this node's trace exactly. */
  private void resumeLlm(Bytes id, SignedReceipt r, JsonNode x) throws Exception {
    if (llm == null) {
      throw new IllegalStateException(
          "dispute " + id.toHex() + " is over an LLM receipt, and this node runs no LLM auditor");
    }
    LlmRequest request = LlmRequest.parse(x.get("llmRequest"));
    TraceParty<ProvenLeaf> mine =
        LlmParties.honest(llm.replay(r.receipt().modelDigest(), request).trace());
    Digest root = Digest.parse(required(x, "root").asText());
    if (!mine.root().equals(root)) {
      throw new IllegalStateException(
          "dispute "
              + id.toHex()
              + ": re-generation gives trace root "
              + mine.root()
              + ", not the committed "
              + root);
    }
    evidence.offerLlm(id, r, request, mine);
    Optional<Digest> output =
        x.has("output") ? Optional.of(Digest.parse(x.get("output").asText())) : Optional.empty();
    disputes.put(id, new Playing(mine, r, Map.of(), Optional.of(request), output));
    if (x.has("movedRound")) {
      movedRound.put(id, x.get("movedRound").asInt());
    }
  }

  private static JsonNode required(JsonNode o, String field) {
    JsonNode v = o.get(field);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException("missing '" + field + "'");
    }
    return v;
  }

  private long chainTime() {
    try {
      String body =
          "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_getBlockByNumber\",\"params\":[\"latest\",false]}";
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(rpcUrl))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return Long.parseLong(
          Json.MAPPER.readTree(r.body()).path("result").path("timestamp").asText().substring(2),
          16);
    } catch (Exception e) {
      return 0;
    }
  }

  private Optional<byte[]> get(URI u) throws java.io.IOException {
    try {
      HttpResponse<byte[]> r =
          http.send(
              HttpRequest.newBuilder(u).timeout(Duration.ofSeconds(30)).build(),
              HttpResponse.BodyHandlers.ofByteArray());
      return r.statusCode() == 200 ? Optional.of(r.body()) : Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.IOException("interrupted", e);
    }
  }

  @Override
  public synchronized void close() {
    if (timer != null) {
      timer.shutdownNow();
    }
  }
}
