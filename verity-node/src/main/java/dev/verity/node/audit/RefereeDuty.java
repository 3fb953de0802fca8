package dev.verity.node.audit;

import dev.verity.audit.bisect.BisectionParty;
import dev.verity.audit.bisect.Verdict;
import dev.verity.audit.chain.OnChainDispute;
import dev.verity.audit.llm.LlmStepReferee;
import dev.verity.audit.strict.StrictStepReferee;
import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.engine.EngineLimits;
import dev.verity.engine.TensorEncoding;
import dev.verity.engine.TraceOpening;
import dev.verity.llm.trace.ProvenLeaf;
import dev.verity.node.openai.LlmReplay;
import dev.verity.node.openai.LlmRequest;
import dev.verity.receipt.Receipt;
import dev.verity.receipt.ReceiptDomain;
import dev.verity.receipt.ReceiptKey;
import dev.verity.receipt.eth.EthAddress;
import dev.verity.settlement.dispute.DisputePhase;
import dev.verity.settlement.dispute.DisputeState;
import dev.verity.settlement.evm.EvmDisputes;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A staked node's referee duty: watches {@code RefereesDrawn}; when this node is in a drawn set it
 * fetches the request (receipt and inputs) and both parties' openings from the parties' nodes
 * ({@link DisputeEvidence}), re-executes the single pinned step with the strict engine and its own
 * copy of the model, signs the verdict (EIP-712, with the node key) and submits it.
 */
public final class RefereeDuty implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RefereeDuty.class);
  static final String REFEREES_DRAWN =
      ChainLogs.topic("RefereesDrawn(bytes32,uint32,bytes32,address[],uint64)");
  static final String DISPUTE_OPENED =
      ChainLogs.topic(
          "DisputeOpened(bytes32,address,address,bytes32,uint256,uint64,bytes32,bytes32)");

  /** The API endpoints of the nodes run by an account (a node address or an operator). */
  public interface Endpoints {
    List<URI> of(EthAddress account) throws Exception;
  }

  /** The ONNX bytes of a model manifest this node holds. */
  public interface Models {
    byte[] bytes(Digest manifest) throws Exception;
  }

  private final EvmDisputes client;
  private final ChainLogs logs;
  private final ReceiptKey key;
  private final ReceiptDomain receiptDomain;
  private final Endpoints endpoints;
  private final Models models;
  private final EngineLimits limits;
  private final Set<Bytes> pending = new LinkedHashSet<>();
  private final Set<String> done = new HashSet<>();
  private long fromBlock;
  private long firstBlock;
  private ScheduledExecutorService timer;
  private LlmReplay llm;

  /**
   * @param client relays the verdicts (any funded account)
   * @param key this node's key; the contract checks verdict signatures against the drawn nodes
   * @param receiptDomain the registry's receipt domain, to match the served receipt to the dispute
   */
  public RefereeDuty(
      EvmDisputes client,
      URI rpc,
      ReceiptKey key,
      ReceiptDomain receiptDomain,
      Endpoints endpoints,
      Models models,
      EngineLimits limits) {
    this.client = client;
    this.logs = new ChainLogs(rpc);
    this.key = key;
    this.receiptDomain = receiptDomain;
    this.endpoints = endpoints;
    this.models = models;
    this.limits = limits;
  }

  /** Reads events from {@code block} on (the deployment block) instead of the genesis. */
  public synchronized RefereeDuty since(long block) {
    if (block < 0) {
      throw new IllegalArgumentException("block must be >= 0, got " + block);
    }
    fromBlock = Math.max(fromBlock, block);
    firstBlock = block;
    return this;
  }

  /**
   * Also judges disputes over LLM receipts, re-executing steps with models loaded by {@code llm}.
   */
  public synchronized RefereeDuty withLlm(LlmReplay llm) {
    this.llm = llm;
    return this;
  }

  public synchronized RefereeDuty start(Duration every) {
    if (timer != null) {
      throw new IllegalStateException("already started");
    }
    timer =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("verity-referee").factory());
    timer.scheduleWithFixedDelay(
        () -> {
          try {
            poll();
          } catch (Exception e) {
            LOG.warn("referee poll failed: {}", e.toString());
          }
        },
        0,
        every.toMillis(),
        TimeUnit.MILLISECONDS);
    return this;
  }

  /** One pass; returns the verdicts submitted. */
  public synchronized int poll() throws Exception {
    long latest = client.blockNumber();
    if (latest >= fromBlock) {
      for (ChainLogs.Log l :
          logs.logs(client.address().toString(), fromBlock, latest, REFEREES_DRAWN)) {
        pending.add(l.topics().get(1));
      }
      fromBlock = latest + 1;
    }
    int submitted = 0;
    for (var it = pending.iterator(); it.hasNext(); ) {
      Bytes id = it.next();
      DisputeState s = client.dispute(id);
      if (s.phase() == DisputePhase.RESOLVED) {
        it.remove();
        continue;
      }
      // One verdict per draw: the draw block identifies the set this node was drawn into.
      String draw = id.toHex() + "@" + s.drawBlock();
      if (s.phase() != DisputePhase.REFEREEING || done.contains(draw)) {
        continue;
      }
      if (!client.referees(id).contains(key.address())) {
        done.add(draw);
        continue;
      }
      try {
        Verdict v = judge(id, s);
        client.submitVerdict(id, v.code, OnChainDispute.sign(key, client, s, v));
        done.add(draw);
        LOG.info("dispute {}: submitted verdict {}", id.toHex(), v);
        submitted++;
      } catch (Exception e) {
        // Retried on the next poll: a party's evidence may not be served yet.
        LOG.warn("dispute {}: cannot judge yet: {}", id.toHex(), e.toString());
      }
    }
    return submitted;
  }

  Verdict judge(Bytes id, DisputeState s) throws Exception {
    List<ChainLogs.Log> opened =
        logs.logs(
            client.address().toString(),
            0,
            client.blockNumber(),
            DISPUTE_OPENED,
            "0x" + id.toHex());
    if (opened.isEmpty()) {
      throw new IllegalStateException("no DisputeOpened event for " + id.toHex());
    }
    byte[] d = opened.getFirst().data().toByteArray();
    // A receipt without a trace: the provider's root came later, with commitTrace.
    Optional<EvmDisputes.DeferredRoots> deferred = client.deferredRoots(id);
    Digest providerRoot =
        deferred.isPresent()
            ? deferred
                .get()
                .provider()
                .orElseThrow(() -> new IllegalStateException("the provider has not committed"))
            : new Digest(Bytes.copyOf(Arrays.copyOfRange(d, 96, 128)));
    Digest challengerRoot = new Digest(Bytes.copyOf(Arrays.copyOfRange(d, 128, 160)));
    Optional<DisputeEvidence.Remote> p = serving(s.node(), id);
    Optional<DisputeEvidence.Remote> c = serving(s.challenger(), id);
    if (p.isEmpty() && s.providerOperator() != null) {
      p = serving(s.providerOperator(), id);
    }
    DisputeEvidence.Served req = null;
    for (var side : List.of(p, c)) {
      if (side.isPresent()) {
        var served = side.get().served();
        if (served.isPresent() && matches(served.get(), s)) {
          req = served.get();
          break;
        }
      }
    }
    if (req == null) {
      throw new IllegalStateException("neither party serves the disputed request");
    }
    Receipt r = req.receipt().receipt();
    if (LlmReplay.isLlm(r)) {
      return judgeLlm(id, s, req, p, c, providerRoot, challengerRoot, deferred.isPresent());
    }
    var referee = new StrictStepReferee(models.bytes(r.modelDigest()), req.inputs(), limits);
    BisectionParty<TraceOpening> provider =
        p.map(x -> x.party(providerRoot, s.leafCount()))
            .orElse(BisectionParty.silent(providerRoot, s.leafCount()));
    BisectionParty<TraceOpening> challenger =
        c.map(x -> x.party(challengerRoot, s.leafCount()))
            .orElse(BisectionParty.silent(challengerRoot, s.leafCount()));
    if (deferred.isPresent()) {
      return OnChainDispute.deferredVerdict(
          s,
          referee.leafCount(),
          providerRoot,
          challengerRoot,
          referee,
          provider,
          challenger,
          new Digest(s.providerHash()),
          new Digest(s.challengerHash()));
    }
    return OnChainDispute.verdict(
        s,
        providerRoot,
        challengerRoot,
        referee,
        provider,
        challenger,
        new Digest(s.providerHash()),
        new Digest(s.challengerHash()));
  }

  /**
   * An LLM receipt: the pinned leaf is one (position, layer) step, re-executed with {@link
   * LlmStepReferee} from the agreed leaves both parties open, with the request's prompt, sampling
   * parameters and seed (bound to the receipt by its input digest).
   */
  private Verdict judgeLlm(
      Bytes id,
      DisputeState s,
      DisputeEvidence.Served req,
      Optional<DisputeEvidence.Remote> p,
      Optional<DisputeEvidence.Remote> c,
      Digest providerRoot,
      Digest challengerRoot,
      boolean deferred)
      throws Exception {
    if (llm == null) {
      throw new IllegalStateException("this node judges no LLM disputes (no LLM runtime)");
    }
    if (deferred) {
      throw new IllegalStateException("an LLM receipt always carries its trace; not deferred");
    }
    LlmRequest request = req.llm().orElseThrow();
    Receipt r = req.receipt().receipt();
    BisectionParty<ProvenLeaf> provider =
        p.map(x -> x.llmParty(providerRoot, s.leafCount()))
            .orElse(BisectionParty.silent(providerRoot, s.leafCount()));
    BisectionParty<ProvenLeaf> challenger =
        c.map(x -> x.llmParty(challengerRoot, s.leafCount()))
            .orElse(BisectionParty.silent(challengerRoot, s.leafCount()));
    return llm.withModel(
        r.modelDigest(),
        model -> {
          var referee =
              new LlmStepReferee(
                  model.stepVerifier(),
                  model.config().nLayers(),
                  request.promptTokens(),
                  request.temperature(),
                  request.topP(),
                  request.seed());
          Verdict v =
              OnChainDispute.verdict(
                  s,
                  providerRoot,
                  challengerRoot,
                  referee,
                  provider,
                  challenger,
                  new Digest(s.providerHash()),
                  new Digest(s.challengerHash()));
          LOG.info(
              "dispute {}: LLM step {} (position {}, layer {}) judged {}",
              id.toHex(),
              s.start(),
              s.start() / model.config().nLayers(),
              s.start() % model.config().nLayers(),
              v);
          return v;
        });
  }

  private boolean matches(DisputeEvidence.Served served, DisputeState s) {
    Receipt r = served.receipt().receipt();
    if (!r.signingDigest(receiptDomain).equals(s.receiptDigest())) {
      return false;
    }
    if (LlmReplay.isLlm(r)) {
      return served.llm().map(l -> l.digest().equals(r.inputDigest())).orElse(false);
    }
    return TensorEncoding.digest(served.inputs()).equals(r.inputDigest());
  }

  /** The first node of {@code account} that serves this dispute. */
  private Optional<DisputeEvidence.Remote> serving(EthAddress account, Bytes id) throws Exception {
    for (URI u : endpoints.of(account)) {
      DisputeEvidence.Remote r = new DisputeEvidence.Remote(u, id);
      if (r.served().isPresent()) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  @Override
  public synchronized void close() {
    if (timer != null) {
      timer.shutdownNow();
    }
  }
}
