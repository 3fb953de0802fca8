package dev.verity.cli.demo;

import dev.verity.cli.infer.InferCommand;
import dev.verity.client.InferRequest;
import dev.verity.client.InferenceBundle;
import dev.verity.client.InferenceReply;
import dev.verity.client.ReceiptVerifier;
import dev.verity.client.VerificationOptions;
import dev.verity.client.VerifiedInference;
import dev.verity.engine.Tensor;
import dev.verity.engine.dataset.MnistIdx;
import dev.verity.log.note.VerifierKey;
import dev.verity.receipt.Receipt;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * The demo's tensor-API steps: one MNIST test digit through both engines on the node (each answer
 * with a signed, logged receipt), then the strict answer's bundle exported and verified offline
 * with a bit-exact re-execution.
 */
final class InferenceDemoSteps {
  static final int IMAGE = 0;

  private String strictRequest;
  private VerifierKey logKey;

  DemoStep classify() {
    return new DemoStep(
        "Classify MNIST test digit #" + IMAGE + " on both engines (receipts signed and logged)",
        this::runClassify);
  }

  DemoStep verifyOffline() {
    return new DemoStep(
        "Export the receipt bundle and verify it offline, re-executing bit for bit",
        this::runVerify);
  }

  private void runClassify(DemoContext ctx) throws Exception {
    Path data = ctx.shared.resolve("datasets/mnist");
    MnistIdx.Images images = MnistIdx.readImages(data.resolve("t10k-images-idx3-ubyte.gz"));
    MnistIdx.Labels labels = MnistIdx.readLabels(data.resolve("t10k-labels-idx1-ubyte.gz"));
    Tensor digit = images.tensor(IMAGE);
    ctx.out.println("  true label: " + labels.label(IMAGE));
    logKey = ctx.client.node().logKey();
    for (String engine : new String[] {"strict", "ort"}) {
      InferenceReply r =
          ctx.client.infer(
              InferRequest.of("mnist@7", Map.of("Input3", digit))
                  .withEngine(engine)
                  // An audited tier: the strict engine commits its trace now (under policy none
                  // the node defers it to a dispute).
                  .withPolicy("sample:0.1"));
      Receipt receipt = r.receipt().receipt().receipt();
      int predicted = InferCommand.argmax(r.outputs().values().iterator().next()).orElseThrow();
      ctx.out.printf(
          "  %-6s predicted %d  (%s)  receipt %s  log index %d%n",
          engine,
          predicted,
          receipt.numericMode().name().toLowerCase(Locale.ROOT),
          r.receiptId(),
          r.logIndex());
      if (engine.equals("strict")) {
        strictRequest = r.requestId();
        ctx.out.println(
            "         trace root "
                + receipt.traceRoot()
                + " over "
                + receipt.traceLeaves()
                + " tensors");
      }
    }
  }

  private void runVerify(DemoContext ctx) throws Exception {
    Path file = ctx.workDir.resolve(strictRequest + ".bundle.json");
    Files.writeString(file, ctx.client.bundleJson(strictRequest));
    ctx.out.println("  saved " + file + " (" + Files.size(file) + " bytes)");
    // Offline from here: the bundle file, the pinned log key and the model file only.
    InferenceBundle bundle = InferenceBundle.parse(Files.readString(file));
    VerifiedInference v =
        ReceiptVerifier.verify(
            bundle,
            VerificationOptions.trusting(logKey).reexecute(ctx.shared.resolve("models/mnist")));
    ctx.out.println("  receipt signature valid (node " + v.receipt().receipt().node() + ")");
    ctx.out.println(
        "  included at index " + v.logIndex() + " of checkpoint size " + v.checkpoint().size());
    ctx.out.println("  model manifest " + v.modelName() + "@" + v.modelVersion() + " signed");
    ctx.out.println("  strict re-execution reproduced output digest and trace root: OK");
  }
}
