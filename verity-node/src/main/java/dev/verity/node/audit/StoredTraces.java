package dev.verity.node.audit;

import dev.verity.audit.bisect.TraceParty;
import dev.verity.audit.strict.StrictParties;
import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.engine.EngineLimits;
import dev.verity.engine.InferenceResult;
import dev.verity.engine.RunOptions;
import dev.verity.engine.Tensor;
import dev.verity.engine.TensorEncoding;
import dev.verity.engine.TraceOpening;
import dev.verity.engine.strict.StrictEngine;
import dev.verity.engine.strict.StrictModel;
import dev.verity.hub.manifest.ManifestFile;
import dev.verity.hub.manifest.SignedManifest;
import dev.verity.hub.store.ModelStore;
import dev.verity.node.receipt.ReceiptIssuer;
import dev.verity.node.receipt.ReceiptsApi;
import dev.verity.receipt.Receipt;
import dev.verity.receipt.SignedReceipt;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provider's own trace for a receipt it issued, rebuilt on demand: the node keeps the request's
 * inputs (the input archive) and the model, and a strict run is deterministic, so re-executing
 * reproduces the committed trace bit for bit. Only a trace whose root and leaf count equal the
 * receipt's is returned; a node whose receipt does not match its own re-execution has nothing
 * honest to play and stays silent. A receipt issued without a trace (deferred, policy {@code none})
 * is rebuilt the same way, and its trace is returned when the re-execution reproduces the receipt's
 * output digest: that trace is what the provider commits when a dispute asks for it.
 */
public final class StoredTraces {
  private static final Logger LOG = LoggerFactory.getLogger(StoredTraces.class);
  private static final int CACHE = 16;

  /** The provider's committed side of a dispute: its trace party and its receipt's output. */
  public record Committed(
      TraceParty<TraceOpening> party,
      Digest output,
      SignedReceipt receipt,
      Map<String, Tensor> inputs) {
    public Committed {
      java.util.Objects.requireNonNull(party, "party");
      java.util.Objects.requireNonNull(output, "output");
      java.util.Objects.requireNonNull(receipt, "receipt");
      inputs = Map.copyOf(inputs);
    }
  }

  private final ReceiptIssuer issuer;
  private final ReceiptsApi.TensorArchive archive;
  private final ModelStore models;
  private final EngineLimits limits;
  private final Map<Bytes, Committed> cache =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Bytes, Committed> e) {
          return size() > CACHE;
        }
      };
  private final Map<Bytes, Long> indexByDigest = new java.util.HashMap<>();
  private long scanned;
  private final Optional<NodeCheat> cheat;

  public StoredTraces(
      ReceiptIssuer issuer,
      ReceiptsApi.TensorArchive archive,
      ModelStore models,
      EngineLimits limits) {
    this(issuer, archive, models, limits, Optional.empty());
  }

  /**
   * @param cheat the node's fault injection (devnet tests): its traces are rebuilt the way it
   *     served them, and a silent one has none to play
   */
  public StoredTraces(
      ReceiptIssuer issuer,
      ReceiptsApi.TensorArchive archive,
      ModelStore models,
      EngineLimits limits,
      Optional<NodeCheat> cheat) {
    this.cheat = cheat;
    this.issuer = issuer;
    this.archive = archive;
    this.models = models;
    this.limits = limits;
  }

  /**
   * The committed trace of the receipt whose EIP-712 digest (the DisputeManager's receipt digest)
   * is {@code receiptDigest}; empty if this node did not issue it, no longer holds its inputs or
   * model, or cannot reproduce its commitment.
   */
  public synchronized Optional<Committed> committed(Bytes receiptDigest) {
    Committed c = cache.get(receiptDigest);
    if (c != null) {
      return Optional.of(c);
    }
    try {
      Optional<SignedReceipt> r = find(receiptDigest);
      if (r.isEmpty()) {
        return Optional.empty();
      }
      Optional<Committed> built = rebuild(r.get());
      built.ifPresent(b -> cache.put(receiptDigest, b));
      return built;
    } catch (Exception e) {
      LOG.warn("cannot rebuild the trace of receipt {}: {}", receiptDigest.toHex(), e.toString());
      return Optional.empty();
    }
  }

  private Optional<SignedReceipt> find(Bytes receiptDigest) throws IOException {
    long size = issuer.log().size();
    // The log only grows: index new entries once, then look up.
    for (; scanned < size; scanned++) {
      Receipt r = issuer.receipt(scanned).receipt().receipt();
      indexByDigest.put(r.signingDigest(issuer.domain()), scanned);
    }
    Long i = indexByDigest.get(receiptDigest);
    return i == null ? Optional.empty() : Optional.of(issuer.receipt(i).receipt());
  }

  private Optional<Committed> rebuild(SignedReceipt signed) throws Exception {
    Receipt r = signed.receipt();
    if (!StrictEngine.ID.equals(r.engineId())) {
      LOG.warn("receipt {} is not a strict receipt; no trace to play", r.requestId());
      return Optional.empty();
    }
    Optional<Map<String, Tensor>> inputs = archive.tensors(r.inputDigest());
    if (inputs.isEmpty()) {
      LOG.warn("inputs of receipt {} are no longer archived", r.requestId());
      return Optional.empty();
    }
    byte[] honest = modelBytes(models, r.modelDigest());
    byte[] model = cheat.map(c -> c.model(honest)).orElse(honest);
    InferenceResult res;
    try (StrictModel m = new StrictEngine().load(model, limits)) {
      res = m.run(inputs.get(), RunOptions.WITH_TRACE);
    }
    TraceParty<TraceOpening> party = StrictParties.honest(res.trace().orElseThrow());
    Digest output = TensorEncoding.digest(res.outputs());
    if (cheat.isPresent()) {
      Optional<FaultInjector.Served> served = cheat.get().committed(res);
      if (served.isEmpty()) {
        LOG.warn("fault injection: staying silent over receipt {}", r.requestId());
        return Optional.empty();
      }
      party = (TraceParty<TraceOpening>) served.get().committed();
      output = served.get().outputDigest();
    }
    if (r.traceLeaves() == 0) {
      if (!output.equals(r.outputDigest())) {
        LOG.warn(
            "re-execution of trace-less receipt {} does not reproduce its output; nothing honest"
                + " to play",
            r.requestId());
        return Optional.empty();
      }
    } else if (!party.root().equals(r.traceRoot()) || party.leafCount() != r.traceLeaves()) {
      LOG.warn(
          "re-execution of receipt {} does not reproduce its trace root; nothing honest to play",
          r.requestId());
      return Optional.empty();
    }
    return Optional.of(new Committed(party, output, signed, inputs.get()));
  }

  /** The model's one ONNX file from the store, digest-checked. */
  static byte[] modelBytes(ModelStore models, Digest manifest) throws Exception {
    SignedManifest m =
        models
            .get(manifest)
            .orElseThrow(() -> new IOException("model " + manifest + " is not held"));
    ManifestFile f =
        m.manifest().files().stream()
            .filter(x -> x.path().endsWith(".onnx"))
            .findFirst()
            .orElseThrow(() -> new IOException("model " + manifest + " has no ONNX file"));
    byte[] bytes;
    try (InputStream in = models.blobs().open(f.digest())) {
      bytes = in.readAllBytes();
    }
    if (!Digest.of(bytes).equals(f.digest())) {
      throw new IOException("stored blob of " + f.path() + " does not match " + f.digest());
    }
    return bytes;
  }
}
