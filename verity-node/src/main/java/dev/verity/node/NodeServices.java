package dev.verity.node;

import dev.verity.hub.store.BlobStore;
import dev.verity.hub.store.ModelStore;
import dev.verity.hub.store.StoreLimits;
import dev.verity.node.api.blobs.BlobsApi;
import dev.verity.node.api.models.ModelsApi;
import dev.verity.node.api.system.SystemApi;
import dev.verity.node.config.NodeConfig;
import dev.verity.node.http.ApiModule;
import dev.verity.node.inference.InferenceApi;
import dev.verity.node.inference.InferenceService;
import dev.verity.node.log.LogApi;
import dev.verity.node.log.WitnessService;
import dev.verity.node.receipt.ReceiptIssuer;
import dev.verity.node.receipt.ReceiptsApi;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the node's API modules run on: the blob and model stores (later also engines and the receipt
 * log). Opened before the server binds, closed after it has drained.
 */
public final class NodeServices implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NodeServices.class);

  private final NodeConfig config;
  private final BlobStore blobs;
  private final ModelStore models;
  private final ReceiptIssuer receipts;
  private final InferenceService inference;
  private final WitnessService witness;

  private final ScheduledExecutorService janitor;

  private NodeServices(
      NodeConfig config,
      BlobStore blobs,
      ModelStore models,
      ReceiptIssuer receipts,
      InferenceService inference,
      WitnessService witness) {
    this.config = config;
    this.blobs = blobs;
    this.models = models;
    this.receipts = receipts;
    this.inference = inference;
    this.witness = witness;
    // Abandoned partial uploads are removed once idle longer than the store's stale age.
    this.janitor =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("verity-upload-cleanup").factory());
    long every = Math.max(60, Math.min(3600, blobs.limits().staleUploadAge().toSeconds() / 2));
    janitor.scheduleWithFixedDelay(this::cleanup, every, every, TimeUnit.SECONDS);
  }

  private void cleanup() {
    try {
      int n = blobs.cleanupStaleUploads();
      if (n > 0) {
        log.info("removed {} stale partial upload file(s)", n);
      }
    } catch (IOException | RuntimeException e) {
      log.warn("cleaning up stale uploads failed: {}", e.toString());
    }
  }

  static NodeServices open(
      NodeConfig config, java.util.Optional<dev.verity.node.audit.NodeCheat> cheat)
      throws IOException {
    StoreLimits limits =
        StoreLimits.defaults()
            .withMaxBlobBytes(config.maxUploadBytes())
            .withMaxManifestBytes(config.maxJsonBytes());
    BlobStore blobs = new BlobStore(config.dataDir(), limits);
    int stale = blobs.cleanupStaleUploads();
    if (stale > 0) {
      log.info("removed {} stale partial upload file(s)", stale);
    }
    ModelStore models = new ModelStore(blobs);
    // On a chain, receipts are signed under the deployment's EIP-712 domain (NodeRegistry), so the
    // Escrow contract and clients that know the deployment can check them.
    ReceiptIssuer receipts =
        config.network().enabled()
            ? ReceiptIssuer.open(
                config.dataDir(),
                dev.verity.settlement.Deployment.read(config.network().deployment())
                    .receiptDomain(),
                java.time.Clock.systemUTC(),
                config.receiptBatchLinger())
            : ReceiptIssuer.open(
                config.dataDir(),
                dev.verity.receipt.ReceiptDomain.DEVNET,
                java.time.Clock.systemUTC(),
                config.receiptBatchLinger());
    try {
      receipts.trustWitnesses(config.trustedWitnesses());
      InferenceService inference =
          new InferenceService(
              models,
              receipts,
              config.engineLimits(),
              config.dataDir(),
              MODEL_CACHE_SIZE,
              config.inferenceTrace(),
              cheat);
      WitnessService witness =
          WitnessService.open(
              config.dataDir(), receipts.origin(), config.witnessPeers(), config.witnessInterval());
      return new NodeServices(config, blobs, models, receipts, inference, witness);
    } catch (IOException | RuntimeException e) {
      receipts.close();
      throw e;
    }
  }

  /** Loaded models kept per engine before the least recently used is closed. */
  static final int MODEL_CACHE_SIZE = 8;

  public BlobStore blobs() {
    return blobs;
  }

  public ModelStore models() {
    return models;
  }

  /** Signs receipts and appends them durably to the node's transparency log. */
  public ReceiptIssuer receipts() {
    return receipts;
  }

  /** Runs models on tensors and issues their receipts. */
  public InferenceService inference() {
    return inference;
  }

  /** Witnesses other nodes' logs. */
  public WitnessService witness() {
    return witness;
  }

  List<ApiModule> modules() {
    return List.of(
        new SystemApi(config.maxUploadBytes()),
        new BlobsApi(blobs, config.maxUploadBytes()),
        new ModelsApi(models),
        new InferenceApi(inference),
        new ReceiptsApi(receipts, models, inference),
        new LogApi(receipts, witness));
  }

  @Override
  public void close() {
    janitor.shutdownNow();
    witness.close();
    inference.close();
    try {
      receipts.close();
    } catch (IOException e) {
      log.warn("closing the receipt log failed: {}", e.toString());
    }
    // The stores write every change durably when it happens; nothing is buffered to flush.
  }
}
