package dev.verity.node.audit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.verity.audit.bisect.BisectionParty;
import dev.verity.audit.bisect.TraceParty;
import dev.verity.audit.chain.OnChainDispute;
import dev.verity.audit.strict.StrictParties;
import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.engine.TraceOpening;
import dev.verity.node.http.Json;
import dev.verity.receipt.Receipt;
import dev.verity.receipt.eth.EthAddress;
import dev.verity.receipt.eth.Keccak;
import dev.verity.settlement.SettlementException;
import dev.verity.settlement.dispute.DisputePhase;
import dev.verity.settlement.dispute.DisputeState;
import dev.verity.settlement.evm.EvmDisputes;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provider's side of DisputeManager disputes: watches {@code DisputeOpened} events naming this
 * node, and plays each bisection round from the node's own committed trace (rebuilt by {@link
 * StoredTraces} from the archived inputs) before the move deadline. Without it, any challenger
 * could slash an honest node by timeout. For a receipt it issued without a trace (deferred), it
 * first commits the root of the rebuilt trace ({@code commitTrace}). Once a step is pinned it also
 * calls {@code drawReferees} when the draw block has passed (anyone may), so the dispute does not
 * stall on the provider's side.
 */
public final class DisputeResponder implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DisputeResponder.class);

  /** topic0 of DisputeManager's DisputeOpened event. */
  static final String DISPUTE_OPENED =
      "0x"
          + Bytes.copyOf(
                  Keccak.keccak256(
                      "DisputeOpened(bytes32,address,address,bytes32,uint256,uint64,bytes32,bytes32)"
                          .getBytes(StandardCharsets.US_ASCII)))
              .toHex();

  /**
   * A dispute naming this node. {@code providerRoot} is zero while a deferred-trace dispute awaits
   * this node's commitment; {@code committed} is the party this node committed to with {@code
   * commitTrace} (its rebuilt trace, resized when the challenger's leaf count differs).
   */
  private record Tracked(
      Bytes receiptDigest, Digest providerRoot, Optional<TraceParty<TraceOpening>> committed) {
    Tracked(Bytes receiptDigest, Digest providerRoot) {
      this(receiptDigest, providerRoot, Optional.empty());
    }
  }

  private final EvmDisputes client;
  private final URI rpc;
  private final EthAddress node;
  private final StoredTraces traces;
  private final DisputeEvidence evidence;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final Map<Bytes, Tracked> open = new LinkedHashMap<>();
  private final Map<Bytes, Integer> movedRound = new LinkedHashMap<>();
  private long fromBlock;
  private ScheduledExecutorService timer;
  private LlmTraces llm;

  /**
   * @param client a DisputeManager client sending from the node's or its operator's account (the
   *     contract accepts moves from either)
   * @param rpc the chain's JSON-RPC endpoint, for reading events
   * @param node this node's address (the receipts' signer)
   */
  public DisputeResponder(EvmDisputes client, URI rpc, EthAddress node, StoredTraces traces) {
    this(client, rpc, node, traces, new DisputeEvidence());
  }

  /**
   * @param evidence where this node offers its receipt, inputs and trace openings to the referees
   *     (served by the node's API)
   */
  public DisputeResponder(
      EvmDisputes client, URI rpc, EthAddress node, StoredTraces traces, DisputeEvidence evidence) {
    this.evidence = evidence;
    this.client = client;
    this.rpc = rpc;
    this.node = node;
    this.traces = traces;
  }

  /** Reads events from {@code block} on (the deployment block) instead of the genesis. */
  public synchronized DisputeResponder since(long block) {
    if (block < 0) {
      throw new IllegalArgumentException("block must be >= 0, got " + block);
    }
    fromBlock = Math.max(fromBlock, block);
    return this;
  }

  /** Also answers disputes over this node's LLM receipts, from traces rebuilt by {@code llm}. */
  public synchronized DisputeResponder withLlm(LlmTraces llm) {
    this.llm = llm;
    return this;
  }

  /** Polls every {@code every} on a daemon thread until closed. */
  public synchronized DisputeResponder start(Duration every) {
    if (timer != null) {
      throw new IllegalStateException("already started");
    }
    timer =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("verity-dispute-responder").factory());
    timer.scheduleWithFixedDelay(
        () -> {
          try {
            poll();
          } catch (Exception e) {
            LOG.warn("dispute responder poll failed: {}", e.toString());
          }
        },
        0,
        every.toMillis(),
        TimeUnit.MILLISECONDS);
    return this;
  }

  /** Disputes naming this node that are not resolved yet, as far as the last poll saw. */
  public synchronized int openDisputes() {
    return open.size();
  }

  /**
   * One pass: reads new DisputeOpened events for this node, then moves in every dispute that is
   * bisecting and where this node has not moved in the current round. Returns the moves sent.
   */
  public synchronized int poll() throws SettlementException, IOException, InterruptedException {
    long latest = client.blockNumber();
    if (latest >= fromBlock) {
      discover(fromBlock, latest);
      fromBlock = latest + 1;
    }
    int moves = 0;
    for (var it = open.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      Bytes id = e.getKey();
      DisputeState s = client.dispute(id);
      if (s.phase() != DisputePhase.AWAITING_PROVIDER_TRACE
          && e.getValue().providerRoot().equals(Receipt.NO_TRACE)) {
        // Committed before a restart: the root is on-chain.
        e.setValue(afterRestart(id, e.getValue(), s.leafCount()));
      }
      switch (s.phase()) {
        case AWAITING_PROVIDER_TRACE -> {
          Optional<Tracked> t = commit(id, e.getValue(), s);
          if (t.isPresent()) {
            e.setValue(t.get());
            moves++;
          }
        }
        case BISECTING -> {
          if (Integer.valueOf(s.round()).equals(movedRound.get(id))) {
            continue;
          }
          if (move(id, e.getValue(), s)) {
            moves++;
          }
        }
        case AWAITING_DRAW -> {
          offer(id, e.getValue());
          if (latest > s.drawBlock()) {
            try {
              client.drawReferees(id);
            } catch (SettlementException x) {
              LOG.debug("drawReferees for {} not possible yet: {}", id.toHex(), x.getMessage());
            }
          }
        }
        case RESOLVED, NONE -> {
          LOG.info("dispute {} over this node ended with outcome {}", id.toHex(), s.outcome());
          movedRound.remove(id);
          it.remove();
        }
        case REFEREEING -> offer(id, e.getValue());
      }
    }
    return moves;
  }

  private void offer(Bytes id, Tracked t) {
    if (!evidence.offers(id) && llm != null) {
      llm.committed(t.receiptDigest())
          .filter(c -> c.party().root().equals(t.providerRoot()))
          .ifPresent(c -> evidence.offerLlm(id, c.receipt(), c.request(), c.party()));
    }
    if (!evidence.offers(id)) {
      traces
          .committed(t.receiptDigest())
          .filter(c -> party(t, c).root().equals(t.providerRoot()))
          .ifPresent(c -> evidence.offer(id, c.receipt(), c.inputs(), party(t, c)));
    }
  }

  private static TraceParty<TraceOpening> party(Tracked t, StoredTraces.Committed c) {
    return t.committed().orElse(c.party());
  }

  /**
   * A dispute over a receipt this node issued without a trace: commits the root of its rebuilt
   * trace over the dispute's leaf count. Returns the dispute as tracked from now on.
   */
  private Optional<Tracked> commit(Bytes id, Tracked t, DisputeState s) {
    Optional<StoredTraces.Committed> c = traces.committed(t.receiptDigest());
    if (c.isEmpty()) {
      LOG.warn(
          "dispute {}: cannot rebuild the deferred trace of {}", id.toHex(), t.receiptDigest());
      return Optional.empty();
    }
    TraceParty<TraceOpening> party = c.get().party();
    if (party.leafCount() != s.leafCount()) {
      // The model fixes the leaf count; referees rule a wrong count against the challenger, who
      // chose it. Any tree of that size lets this node play until they do.
      LOG.warn(
          "dispute {}: the challenger claims {} trace leaves, this model has {}",
          id.toHex(),
          s.leafCount(),
          party.leafCount());
      party = StrictParties.resized(party, s.leafCount());
    }
    try {
      client.commitTrace(id, party.root());
    } catch (SettlementException x) {
      LOG.warn("dispute {}: commitTrace failed: {}", id.toHex(), x.getMessage());
      return Optional.empty();
    }
    LOG.info("dispute {}: committed the deferred trace root {}", id.toHex(), party.root());
    evidence.offer(id, c.get().receipt(), c.get().inputs(), party);
    return Optional.of(new Tracked(t.receiptDigest(), party.root(), Optional.of(party)));
  }

  private Tracked afterRestart(Bytes id, Tracked t, long leafCount) throws SettlementException {
    Optional<Digest> root = client.deferredRoots(id).flatMap(EvmDisputes.DeferredRoots::provider);
    if (root.isEmpty()) {
      return t;
    }
    Optional<TraceParty<TraceOpening>> party =
        traces
            .committed(t.receiptDigest())
            .map(
                c ->
                    c.party().leafCount() == leafCount
                        ? c.party()
                        : StrictParties.resized(c.party(), leafCount))
            .filter(p -> p.root().equals(root.get()));
    return new Tracked(t.receiptDigest(), root.get(), party);
  }

  private boolean move(Bytes id, Tracked t, DisputeState s) {
    if (llm != null) {
      Optional<LlmTraces.Committed> l = llm.committed(t.receiptDigest());
      if (l.isPresent()) {
        if (!l.get().party().root().equals(t.providerRoot())) {
          LOG.warn(
              "dispute {}: rebuilt LLM trace root differs from the committed root", id.toHex());
          return false;
        }
        if (!evidence.offers(id)) {
          evidence.offerLlm(id, l.get().receipt(), l.get().request(), l.get().party());
        }
        return send(id, s, l.get().party());
      }
    }
    Optional<StoredTraces.Committed> c = traces.committed(t.receiptDigest());
    if (c.isEmpty()) {
      LOG.warn("dispute {}: no trace for receipt {}; cannot move", id.toHex(), t.receiptDigest());
      return false;
    }
    TraceParty<TraceOpening> party = party(t, c.get());
    if (!party.root().equals(t.providerRoot())) {
      LOG.warn("dispute {}: rebuilt trace root differs from the committed root", id.toHex());
      return false;
    }
    if (!evidence.offers(id)) {
      evidence.offer(id, c.get().receipt(), c.get().inputs(), party);
    }
    return send(id, s, party);
  }

  private boolean send(Bytes id, DisputeState s, BisectionParty<?> party) {
    try {
      boolean sent = OnChainDispute.move(client, id, party);
      movedRound.put(id, s.round());
      return sent;
    } catch (SettlementException x) {
      // AlreadyMoved after a restart, or the round moved on meanwhile: the next poll re-reads.
      if (String.valueOf(x.getMessage()).contains("AlreadyMoved")) {
        movedRound.put(id, s.round());
      }
      LOG.warn("dispute {}: move in round {} failed: {}", id.toHex(), s.round(), x.getMessage());
      return false;
    }
  }

  private void discover(long from, long to) throws IOException, InterruptedException {
    String nodeTopic = "0x" + "0".repeat(24) + node.toString().substring(2).toLowerCase();
    String body =
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_getLogs\",\"params\":[{\"address\":\""
            + client.address()
            + "\",\"fromBlock\":\"0x"
            + Long.toHexString(from)
            + "\",\"toBlock\":\"0x"
            + Long.toHexString(to)
            + "\",\"topics\":[\""
            + DISPUTE_OPENED
            + "\",null,\""
            + nodeTopic
            + "\"]}]}";
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(rpc)
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    JsonNode j = Json.MAPPER.readTree(r.body());
    if (j.has("error")) {
      throw new IOException("eth_getLogs failed: " + j.get("error"));
    }
    for (JsonNode log : j.path("result")) {
      Bytes id = Bytes.fromHex(log.path("topics").get(1).asText().substring(2));
      Bytes data = Bytes.fromHex(log.path("data").asText().substring(2));
      byte[] d = data.toByteArray();
      if (d.length < 5 * 32) {
        throw new IOException("DisputeOpened data is " + d.length + " bytes, expected 160");
      }
      Bytes receiptDigest = Bytes.copyOf(java.util.Arrays.copyOfRange(d, 0, 32));
      Digest providerRoot =
          new Digest(Bytes.copyOf(java.util.Arrays.copyOfRange(d, 3 * 32, 4 * 32)));
      if (open.putIfAbsent(id, new Tracked(receiptDigest, providerRoot)) == null) {
        LOG.warn(
            "dispute {} opened against this node; answering from its stored trace", id.toHex());
      }
    }
  }

  @Override
  public synchronized void close() {
    if (timer != null) {
      timer.shutdownNow();
    }
  }
}
