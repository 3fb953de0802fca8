package dev.verity.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.verity.client.InferRequest;
import dev.verity.client.InferenceBundle;
import dev.verity.client.InferenceReply;
import dev.verity.client.ReceiptVerifier;
import dev.verity.client.VerificationException;
import dev.verity.client.VerificationException.Failure;
import dev.verity.client.VerificationOptions;
import dev.verity.client.VerifiedInference;
import dev.verity.client.VerityClient;
import dev.verity.core.Digest;
import dev.verity.engine.Tensor;
import dev.verity.engine.TensorEncoding;
import dev.verity.engine.dataset.MnistIdx;
import dev.verity.log.note.Checkpoint;
import dev.verity.log.note.Note;
import dev.verity.log.note.NoteSigner;
import dev.verity.log.note.VerifierKey;
import dev.verity.node.VerityNode;
import dev.verity.node.config.NodeConfig;
import dev.verity.node.receipt.IssuedReceipt;
import dev.verity.node.receipt.ReceiptDraft;
import dev.verity.node.receipt.ReceiptIssuer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code verity infer}, {@code verity receipt bundle} and {@code verity verify} against a real node
 * with the real MNIST model, and one negative fixture per verification failure, each checked
 * through the CLI (exit code 3 and the failure named) and through the SDK (the failure kind).
 */
class InferVerifyCliTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path tmp;
  static Path shared;
  static Path modelDir;
  static VerityNode node;
  static String url;
  static String logKey;
  static MnistIdx.Images images;
  static MnistIdx.Labels labels;
  static Path goodBundle;
  static String goodText;
  static Path tracedBundle;
  static String tracedText;

  @BeforeAll
  static void setUp() throws Exception {
    System.setProperty("verity.home", tmp.resolve("home").toString());
    shared = Path.of(System.getProperty("verity.shared", "../../shared")).toAbsolutePath();
    modelDir = shared.resolve("models/mnist");
    node = VerityNode.start(NodeConfig.ephemeral(tmp.resolve("node")));
    url = node.url().toString();
    Path key = tmp.resolve("publisher.key");
    Cli.Result r = Cli.run("key", "generate", "--out", key.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    r =
        Cli.run(
            "model",
            "publish",
            modelDir.resolve("mnist-7.onnx").toString(),
            "--name",
            "mnist",
            "--version",
            "7",
            "--key",
            key.toString(),
            "--node",
            url);
    assertThat(r.exit()).as(r.err()).isZero();
    images = MnistIdx.readImages(shared.resolve("datasets/mnist/t10k-images-idx3-ubyte.gz"));
    labels = MnistIdx.readLabels(shared.resolve("datasets/mnist/t10k-labels-idx1-ubyte.gz"));
    try (VerityClient c = VerityClient.connect(url)) {
      logKey = c.node().logKey().encode();
      // A few receipts first, so that inclusion proofs have hashes to tamper with.
      for (int i = 0; i < 3; i++) {
        c.infer(InferRequest.of("mnist@7", Map.of("Input3", images.tensor(100 + i))));
      }
    }
    goodBundle = tmp.resolve("good.bundle.json");
    r =
        Cli.run(
            "infer",
            "--model",
            "mnist@7",
            "--input",
            pgm(0).toString(),
            "--node",
            url,
            "--request-id",
            "good-1",
            "--out",
            goodBundle.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    goodText = Files.readString(goodBundle);
    tracedBundle = tmp.resolve("traced.bundle.json");
    r =
        Cli.run(
            "infer",
            "--model",
            "mnist@7",
            "--input",
            pgm(0).toString(),
            "--node",
            url,
            "--policy",
            "sample:0.5",
            "--request-id",
            "traced-1",
            "--out",
            tracedBundle.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("trace:       sha256:");
    tracedText = Files.readString(tracedBundle);
  }

  @AfterAll
  static void tearDown() {
    node.close();
  }

  static Path pgm(int index) throws Exception {
    Path p = tmp.resolve("digit-" + index + ".pgm");
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write("P5\n# mnist test image\n28 28\n255\n".getBytes(StandardCharsets.US_ASCII));
    for (int y = 0; y < 28; y++) {
      for (int x = 0; x < 28; x++) {
        b.write(images.pixel(index, y, x));
      }
    }
    Files.write(p, b.toByteArray());
    return p;
  }

  static Path write(String name, String text) throws Exception {
    Path p = tmp.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  static ObjectNode good() throws Exception {
    return (ObjectNode) JSON.readTree(goodText);
  }

  static Cli.Result verify(Path bundle, String... extra) {
    List<String> args = new ArrayList<>(List.of("verify", bundle.toString(), "--log-key", logKey));
    args.addAll(List.of(extra));
    return Cli.run(args.toArray(String[]::new));
  }

  /** The CLI exits 3 naming the failure, and the SDK reports the same kind. */
  static void assertFails(
      Path bundle, Failure failure, String message, VerificationOptions sdk, String... cliExtra)
      throws Exception {
    Cli.Result r = verify(bundle, cliExtra);
    assertThat(r.exit()).as(r.all()).isEqualTo(3);
    assertThat(r.err())
        .contains("verification FAILED (" + failure.name().toLowerCase().replace('_', '-') + ")")
        .contains(message);
    InferenceBundle b = InferenceBundle.parse(Files.readString(bundle));
    assertThatThrownBy(() -> ReceiptVerifier.verify(b, sdk))
        .isInstanceOf(VerificationException.class)
        .satisfies(e -> assertThat(((VerificationException) e).failure()).isEqualTo(failure))
        .hasMessageContaining(message);
  }

  static VerificationOptions opts() {
    return VerificationOptions.trusting(VerifierKey.parse(logKey));
  }

  @Test
  void infer_pgmImage_printsPredictionAndReceipt() throws Exception {
    Cli.Result r =
        Cli.run("infer", "--model", "mnist@7", "--input", pgm(7).toString(), "--node", url);
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("prediction:  " + labels.label(7));
    assertThat(r.out()).contains("engine:      strict").contains("(bitwise)");
    assertThat(r.out()).contains("log:         index ");
  }

  @Test
  void infer_jsonTensorsFromStdinAlternativeEngine_ort() throws Exception {
    Path json = tmp.resolve("in.json");
    ObjectNode in = JSON.createObjectNode();
    ObjectNode t = in.putObject("Input3");
    t.put("dtype", "float32");
    t.putArray("shape").add(1).add(1).add(28).add(28);
    ArrayNode d = t.putArray("data");
    for (float f : images.floats(3)) {
      d.add(f);
    }
    Files.writeString(json, in.toString());
    Cli.Result r =
        Cli.run(
            "infer",
            "--digest",
            digestOf("mnist@7"),
            "--input",
            json.toString(),
            "--engine",
            "ort",
            "--node",
            url);
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("prediction:  " + labels.label(3)).contains("(tolerance)");
  }

  static String digestOf(String ref) throws Exception {
    try (VerityClient c = VerityClient.connect(url)) {
      return c.model("mnist", "7").digest().toString();
    }
  }

  @Test
  void verify_goodBundle_withReexecution_passesBitForBit() throws Exception {
    Cli.Result r = verify(tracedBundle, "--reexecute", "--model-dir", modelDir.toString());
    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.out())
        .contains("OK")
        .contains("output digest and trace root bit for bit")
        .contains("signature valid");
    VerifiedInference v =
        ReceiptVerifier.verify(InferenceBundle.parse(tracedText), opts().reexecute(modelDir));
    assertThat(v.reexecuted()).isTrue();
    assertThat(v.receipt().receipt().requestId()).isEqualTo("traced-1");
    assertThat(v.receipt().receipt().traceLeaves()).isPositive();
  }

  @Test
  void verify_traceLessStrictReceipt_withReexecution_checksOutput_andSaysTraceDeferred()
      throws Exception {
    Cli.Result r = verify(goodBundle, "--reexecute", "--model-dir", modelDir.toString());
    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.out())
        .contains("OK")
        .contains("strict engine reproduced output digest bit for bit; trace deferred");
    VerifiedInference v =
        ReceiptVerifier.verify(InferenceBundle.parse(goodText), opts().reexecute(modelDir));
    assertThat(v.reexecuted()).isTrue();
    assertThat(v.receipt().receipt().requestId()).isEqualTo("good-1");
    assertThat(v.receipt().receipt().traceLeaves()).isZero();
  }

  @Test
  void receiptBundle_command_savesTheSameReceipt() throws Exception {
    Path out = tmp.resolve("again.bundle.json");
    Cli.Result r = Cli.run("receipt", "bundle", "good-1", "--out", out.toString(), "--node", url);
    assertThat(r.exit()).as(r.err()).isZero();
    InferenceBundle a = InferenceBundle.parse(Files.readString(out));
    InferenceBundle b = InferenceBundle.parse(goodText);
    assertThat(a.receipt().receipt()).isEqualTo(b.receipt().receipt());
    assertThat(verify(out).exit()).isZero();
  }

  @Test
  void verify_withoutLogKey_warnsThatTheBundledKeyIsTrusted() throws Exception {
    Cli.Result r = Cli.run("verify", goodBundle.toString());
    assertThat(r.exit()).isZero();
    assertThat(r.err()).contains("warning: trusting the log key inside the bundle");
  }

  @Test
  void verify_tamperedReceiptField_badReceiptSignature() throws Exception {
    ObjectNode b = good();
    ((ObjectNode) b.get("receiptBundle").get("receipt")).put("policy", "replicate:3");
    assertFails(
        write("f1.json", b.toString()),
        Failure.BAD_RECEIPT_SIGNATURE,
        "bad receipt signature",
        opts());
  }

  @Test
  void verify_otherLogKey_badCheckpointSignature() throws Exception {
    String origin = VerifierKey.parse(logKey).name();
    NoteSigner other = NoteSigner.generate(origin, VerifierKey.ED25519, new SecureRandom());
    Cli.Result r =
        Cli.run("verify", goodBundle.toString(), "--log-key", other.verifierKey().encode());
    assertThat(r.exit()).isEqualTo(3);
    assertThat(r.err()).contains("(bad-checkpoint-signature)");
    assertThatThrownBy(
            () ->
                ReceiptVerifier.verify(
                    InferenceBundle.parse(goodText),
                    VerificationOptions.trusting(other.verifierKey())))
        .satisfies(
            e ->
                assertThat(((VerificationException) e).failure())
                    .isEqualTo(Failure.BAD_CHECKPOINT_SIGNATURE));
  }

  @Test
  void verify_tamperedInclusionProof_notInLog() throws Exception {
    ObjectNode b = good();
    ArrayNode p = (ArrayNode) b.get("receiptBundle").get("inclusionProof");
    assertThat(p.size()).isPositive();
    p.set(0, JSON.getNodeFactory().textNode(Base64.getEncoder().encodeToString(new byte[32])));
    assertFails(write("f3.json", b.toString()), Failure.NOT_IN_LOG, "not in the log", opts());
  }

  @Test
  void verify_requiredWitnessAbsent_missingCosignature() throws Exception {
    NoteSigner w = NoteSigner.generate("w", VerifierKey.COSIGNATURE_V1, new SecureRandom());
    assertFails(
        goodBundle,
        Failure.MISSING_COSIGNATURE,
        "0 valid witness cosignatures, 1 required",
        opts().witnesses(List.of(w.verifierKey()), 1),
        "--witness-key",
        w.verifierKey().encode());
  }

  @Test
  void verify_forkedEarlierCheckpoint_checkpointInconsistent() throws Exception {
    // The node's own log key signs a second tree of the same size: a fork.
    NoteSigner logSigner = NoteSigner.load(tmp.resolve("node/keys/log.key"));
    InferenceBundle b = InferenceBundle.parse(goodText);
    Checkpoint c = Checkpoint.parse(Note.parse(b.receipt().checkpoint()).text());
    Checkpoint forked = new Checkpoint(c.origin(), c.size(), Digest.of("other".getBytes()).value());
    String note = logSigner.signNote(forked.text()).encode();
    Path seen = write("seen.note", note);
    assertFails(
        goodBundle,
        Failure.CHECKPOINT_INCONSISTENT,
        "checkpoint not consistent",
        opts().previouslySeen(note, null),
        "--checkpoint",
        seen.toString());
  }

  @Test
  void verify_tamperedManifestSignature_badManifest() throws Exception {
    ObjectNode b = good();
    ObjectNode sig = (ObjectNode) b.get("manifest").get("signatures").get(0);
    byte[] s = Base64.getDecoder().decode(sig.get("sig").asText());
    s[0] ^= 1;
    sig.put("sig", Base64.getEncoder().encodeToString(s));
    assertFails(
        write("f6.json", b.toString()),
        Failure.BAD_MANIFEST,
        "bad model manifest signature",
        opts());
  }

  @Test
  void verify_wrongModelFile_modelFilesMismatch() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("wrong-model"));
    Files.write(dir.resolve("mnist-7.onnx"), "not the model".getBytes());
    assertFails(
        goodBundle,
        Failure.MODEL_FILES_MISMATCH,
        "but the manifest lists",
        opts().reexecute(dir),
        "--reexecute",
        "--model-dir",
        dir.toString());
  }

  @Test
  void verify_tamperedBundledInput_bundleTensorsMismatch() throws Exception {
    ObjectNode b = good();
    ObjectNode in = (ObjectNode) b.get("inputs").elements().next();
    byte[] data = Base64.getDecoder().decode(in.get("data").asText());
    data[1000] ^= 0x40;
    in.put("data", Base64.getEncoder().encodeToString(data));
    assertFails(
        write("f8.json", b.toString()),
        Failure.BUNDLE_TENSORS_MISMATCH,
        "bundled inputs hash to",
        opts());
  }

  @Test
  void verify_noBundledInput_reexecutionFailed() throws Exception {
    ObjectNode b = good();
    b.remove("inputs");
    assertFails(
        write("f11.json", b.toString()),
        Failure.REEXECUTION_FAILED,
        "carries no inputs",
        opts().reexecute(modelDir),
        "--reexecute",
        "--model-dir",
        modelDir.toString());
  }

  /** A node that signs and logs a false claim: only re-execution can catch it. */
  static Path lyingBundle(String name, boolean wrongOutput, Path issuerDir) throws Exception {
    // The trace lie needs a receipt that carries a trace; the output lie works on either.
    InferenceBundle honest = InferenceBundle.parse(wrongOutput ? goodText : tracedText);
    var r = honest.receipt().receipt().receipt();
    Map<String, Tensor> outputs = new LinkedHashMap<>(honest.outputs());
    if (wrongOutput) {
      String n = outputs.keySet().iterator().next();
      float[] v = outputs.get(n).toFloats();
      v[3] += 1.0f;
      outputs.put(n, Tensor.ofFloats(outputs.get(n).shape(), v));
    }
    Digest trace = wrongOutput ? r.traceRoot() : Digest.of("a different trace".getBytes());
    try (ReceiptIssuer liar = ReceiptIssuer.open(issuerDir)) {
      IssuedReceipt issued =
          liar.issue(
              new ReceiptDraft(
                  r.modelDigest(),
                  new dev.verity.engine.strict.StrictEngine().info(),
                  r.inputDigest(),
                  TensorEncoding.digest(outputs),
                  trace,
                  r.traceLeaves(),
                  "lie-" + name,
                  r.policy(),
                  0));
      InferenceBundle lie =
          new InferenceBundle(
              issued.bundle(), liar.logKey().encode(), honest.manifest(), honest.inputs(), outputs);
      return write(name, lie.toJson());
    }
  }

  @Test
  void verify_signedButWrongOutput_outputDiffersAtTensor() throws Exception {
    Path dir = tmp.resolve("liar1");
    Path bundle = lyingBundle("f9.json", true, dir);
    String key = InferenceBundle.parse(Files.readString(bundle)).logKey();
    Cli.Result ok = Cli.run("verify", bundle.toString(), "--log-key", key);
    assertThat(ok.exit()).as("signature and log are fine; only re-execution catches it").isZero();
    Cli.Result r =
        Cli.run(
            "verify",
            bundle.toString(),
            "--log-key",
            key,
            "--reexecute",
            "--model-dir",
            modelDir.toString());
    assertThat(r.exit()).isEqualTo(3);
    assertThat(r.err()).contains("(output-differs)").contains("at tensor '").contains("element 3");
    assertThatThrownBy(
            () ->
                ReceiptVerifier.verify(
                    InferenceBundle.parse(Files.readString(bundle)),
                    VerificationOptions.trusting(VerifierKey.parse(key)).reexecute(modelDir)))
        .satisfies(
            e ->
                assertThat(((VerificationException) e).failure())
                    .isEqualTo(Failure.OUTPUT_DIFFERS));
  }

  @Test
  void verify_signedButWrongTrace_traceDiffers() throws Exception {
    Path bundle = lyingBundle("f10.json", false, tmp.resolve("liar2"));
    String key = InferenceBundle.parse(Files.readString(bundle)).logKey();
    Cli.Result r =
        Cli.run(
            "verify",
            bundle.toString(),
            "--log-key",
            key,
            "--reexecute",
            "--model-dir",
            modelDir.toString());
    assertThat(r.exit()).as(r.all()).isEqualTo(3);
    assertThat(r.err()).contains("(trace-differs)").contains("trace root differs");
    assertThatThrownBy(
            () ->
                ReceiptVerifier.verify(
                    InferenceBundle.parse(Files.readString(bundle)),
                    VerificationOptions.trusting(VerifierKey.parse(key)).reexecute(modelDir)))
        .satisfies(
            e ->
                assertThat(((VerificationException) e).failure()).isEqualTo(Failure.TRACE_DIFFERS));
  }

  @Test
  void logWitness_cosignsThePeer_andTheRefetchedBundleVerifiesWithTheWitnessKey() throws Exception {
    try (VerityNode witness = VerityNode.start(NodeConfig.ephemeral(tmp.resolve("witness")))) {
      Cli.Result r = Cli.run("log", "witness", "--peer", url, "--node", witness.url().toString());
      assertThat(r.exit()).as(r.all()).isZero();
      assertThat(r.out()).contains("cosigned " + url).contains("cosignature delivered");
      String wkey = r.out().replaceAll("(?s).*witness key: (\\S+).*", "$1");
      Cli.Result cp = Cli.run("log", "checkpoint", "--node", url);
      assertThat(cp.exit()).isZero();
      assertThat(cp.out()).contains("log key:  " + logKey).contains("— " + wkey.split("\\+")[0]);
      Path b = tmp.resolve("cosigned.bundle.json");
      assertThat(
              Cli.run("receipt", "bundle", "good-1", "--out", b.toString(), "--node", url).exit())
          .isZero();
      Cli.Result v = verify(b, "--witness-key", wkey);
      assertThat(v.exit()).as(v.all()).isZero();
      assertThat(v.out()).contains("witnesses:          " + wkey.split("\\+")[0]);
      Cli.Result show = Cli.run("receipt", "show", "good-1", "--node", url);
      assertThat(show.exit()).isZero();
      assertThat(show.out()).contains("\"requestId\" : \"good-1\"");
    }
  }

  @Test
  void sdk_inferReply_outputsMatchReceipt_andBundleVerifies() throws Exception {
    try (VerityClient c = VerityClient.connect(url)) {
      InferenceReply reply =
          c.infer(
              InferRequest.of("mnist@7", Map.of("Input3", images.tensor(9)))
                  .withRequestId("sdk-1"));
      assertThat(reply.requestId()).isEqualTo("sdk-1");
      InferenceBundle b = c.bundle("sdk-1");
      VerifiedInference v =
          ReceiptVerifier.verify(
              b, VerificationOptions.trusting(c.node().logKey()).reexecute(modelDir));
      assertThat(v.logIndex()).isEqualTo(reply.logIndex());
      JsonNode parsed = JSON.readTree(b.toJson());
      assertThat(parsed.get("format").asText()).isEqualTo(InferenceBundle.FORMAT);
    }
  }
}
