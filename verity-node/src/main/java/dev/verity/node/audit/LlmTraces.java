package dev.verity.node.audit;

import dev.verity.audit.bisect.TraceParty;
import dev.verity.audit.llm.LlmParties;
import dev.verity.core.Bytes;
import dev.verity.llm.trace.ProvenLeaf;
import dev.verity.node.openai.LlmArchive;
import dev.verity.node.openai.LlmReplay;
import dev.verity.node.openai.LlmRequest;
import dev.verity.node.openai.LlmTraceLie;
import dev.verity.node.receipt.ReceiptIssuer;
import dev.verity.receipt.Receipt;
import dev.verity.receipt.SignedReceipt;
import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provider's own trace for an LLM receipt it issued, rebuilt on demand — the LLM sibling of
 * {@link StoredTraces}. The node keeps the request ({@link LlmArchive}, under the receipt's input
 * digest) and the model; generation is deterministic, so re-generating with activations kept
 * reproduces the committed trace bit for bit. Only a trace whose root and leaf count equal the
 * receipt's is returned: a node whose receipt does not match its own re-execution stays silent.
 * Under the {@code lying-trace} fault switch (tests only) the node rebuilds the same lie it
 * committed to, and plays it.
 */
public final class LlmTraces {
  private static final Logger LOG = LoggerFactory.getLogger(LlmTraces.class);
  private static final int CACHE = 8;

  /** The provider's committed side of a dispute over an LLM receipt. */
  public record Committed(TraceParty<ProvenLeaf> party, SignedReceipt receipt, LlmRequest request) {
    public Committed {
      Objects.requireNonNull(party, "party");
      Objects.requireNonNull(receipt, "receipt");
      Objects.requireNonNull(request, "request");
    }
  }

  private final ReceiptIssuer issuer;
  private final LlmArchive archive;
  private final LlmReplay replay;
  private final Optional<LlmTraceLie> lie;
  private final Map<Bytes, Committed> cache =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Bytes, Committed> e) {
          return size() > CACHE;
        }
      };
  private final Map<Bytes, Long> indexByDigest = new HashMap<>();
  private long scanned;

  public LlmTraces(
      ReceiptIssuer issuer, LlmArchive archive, LlmReplay replay, Optional<LlmTraceLie> lie) {
    this.issuer = issuer;
    this.archive = archive;
    this.replay = replay;
    this.lie = lie;
  }

  /**
   * The committed trace of the LLM receipt whose EIP-712 digest is {@code receiptDigest}; empty if
   * this node did not issue it, it is not an LLM receipt, or the node cannot reproduce it.
   */
  public synchronized Optional<Committed> committed(Bytes receiptDigest) {
    Committed c = cache.get(receiptDigest);
    if (c != null) {
      return Optional.of(c);
    }
    try {
      Optional<SignedReceipt> r = find(receiptDigest);
      if (r.isEmpty() || !LlmReplay.isLlm(r.get().receipt())) {
        return Optional.empty();
      }
      Optional<Committed> built = rebuild(r.get());
      built.ifPresent(b -> cache.put(receiptDigest, b));
      return built;
    } catch (Exception e) {
      LOG.warn(
          "cannot rebuild the LLM trace of receipt {}: {}", receiptDigest.toHex(), e.toString());
      return Optional.empty();
    }
  }

  private Optional<SignedReceipt> find(Bytes receiptDigest) throws IOException {
    long size = issuer.log().size();
    for (; scanned < size; scanned++) {
      Receipt r = issuer.receipt(scanned).receipt().receipt();
      indexByDigest.put(r.signingDigest(issuer.domain()), scanned);
    }
    Long i = indexByDigest.get(receiptDigest);
    return i == null ? Optional.empty() : Optional.of(issuer.receipt(i).receipt());
  }

  private Optional<Committed> rebuild(SignedReceipt signed) throws Exception {
    Receipt r = signed.receipt();
    Optional<LlmRequest> request = archive.load(r.inputDigest());
    if (request.isEmpty()) {
      LOG.warn("the request of LLM receipt {} is no longer archived", r.requestId());
      return Optional.empty();
    }
    LlmReplay.Replayed again = replay.replay(r.modelDigest(), request.get());
    TraceParty<ProvenLeaf> party =
        lie.isPresent()
            ? lie.get().party(again.trace(), request.get().promptTokens().size())
            : LlmParties.honest(again.trace());
    if (!again.output().equals(r.outputDigest())
        || !party.root().equals(r.traceRoot())
        || party.leafCount() != r.traceLeaves()) {
      LOG.warn(
          "re-generation of LLM receipt {} does not reproduce its output and trace root; nothing"
              + " honest to play",
          r.requestId());
      return Optional.empty();
    }
    return Optional.of(new Committed(party, signed, request.get()));
  }
}
