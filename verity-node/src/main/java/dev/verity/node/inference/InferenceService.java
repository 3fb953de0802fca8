package dev.verity.node.inference;

import dev.verity.core.Digest;
import dev.verity.engine.EngineLimits;
import dev.verity.engine.InferenceEngine;
import dev.verity.engine.InferenceException;
import dev.verity.engine.InferenceResult;
import dev.verity.engine.LoadedModel;
import dev.verity.engine.ModelLoadException;
import dev.verity.engine.RunOptions;
import dev.verity.engine.Tensor;
import dev.verity.engine.TensorEncoding;
import dev.verity.engine.TensorJson;
import dev.verity.engine.TensorSpec;
import dev.verity.engine.ort.OrtEngine;
import dev.verity.engine.strict.StrictEngine;
import dev.verity.hub.manifest.ManifestFile;
import dev.verity.hub.manifest.SignedManifest;
import dev.verity.hub.store.ModelStore;
import dev.verity.node.audit.NodeCheat;
import dev.verity.node.http.Problem;
import dev.verity.node.http.ProblemException;
import dev.verity.node.receipt.IssuedReceipt;
import dev.verity.node.receipt.ReceiptDraft;
import dev.verity.node.receipt.ReceiptIssuer;
import dev.verity.node.receipt.ReceiptsApi;
import dev.verity.receipt.VerificationPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Runs an inference on a published model and issues its receipt: resolves the model reference,
 * loads the model file from the store with its digest checked (cached), checks the inputs against
 * the model's declared inputs, runs the engine under the node's limits (the strict engine with a
 * trace commitment when the {@link TraceRule} asks for one), then signs and durably logs the
 * receipt before returning.
 */
public final class InferenceService implements AutoCloseable, ReceiptsApi.TensorArchive {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(InferenceService.class);

  /** Engines a request may name. */
  public static final List<String> ENGINES = List.of(StrictEngine.ID, OrtEngine.ID);

  private final ModelStore models;
  private final ReceiptIssuer issuer;
  private final EngineLimits limits;
  private final Path tmpDir;
  private final InputArchive archive;
  private final ModelCache cache;
  private final InferenceEngine strict;
  private final Optional<NodeCheat> cheat;
  private final Lazy<InferenceEngine> ort;
  private final TraceRule traceRule;

  /** With the default trace rule {@link TraceRule#AUTO}. */
  public InferenceService(
      ModelStore models, ReceiptIssuer issuer, EngineLimits limits, Path dataDir, int cacheSize)
      throws IOException {
    this(models, issuer, limits, dataDir, cacheSize, TraceRule.AUTO);
  }

  /**
   * @param traceRule when a strict run commits its trace: eagerly by policy ({@code auto}) or
   *     always
   */
  public InferenceService(
      ModelStore models,
      ReceiptIssuer issuer,
      EngineLimits limits,
      Path dataDir,
      int cacheSize,
      TraceRule traceRule)
      throws IOException {
    this(models, issuer, limits, dataDir, cacheSize, traceRule, Optional.empty());
  }

  /**
   * @param traceRule when a strict run commits its trace: eagerly by policy ({@code auto}) or
   *     always
   * @param cheat fault injection for adversarial tests (the {@code audit-cheat} setting); empty in
   *     every real deployment
   */
  public InferenceService(
      ModelStore models,
      ReceiptIssuer issuer,
      EngineLimits limits,
      Path dataDir,
      int cacheSize,
      TraceRule traceRule,
      Optional<NodeCheat> cheat)
      throws IOException {
    this.traceRule = Objects.requireNonNull(traceRule, "traceRule");
    this.models = models;
    this.issuer = issuer;
    this.limits = limits;
    this.tmpDir = dataDir.resolve("tmp");
    Files.createDirectories(tmpDir);
    this.archive = new InputArchive(dataDir.resolve("inputs"));
    // Inputs saved before a receipt is issued are written before its log commit: a client never
    // holds a receipt whose input a restarted node has lost (short of a power loss).
    issuer.beforeEachCommit(archive::flush);
    this.cache = new ModelCache(cacheSize);
    this.strict = new StrictEngine();
    this.cheat = Objects.requireNonNull(cheat, "cheat");
    // ONNX Runtime loads native code: only when a request first asks for it.
    this.ort = new Lazy<>(OrtEngine::new);
  }

  /** One inference request, already parsed. */
  public record Request(
      String model,
      String engine,
      Map<String, Tensor> inputs,
      VerificationPolicy policy,
      Optional<String> requestId) {
    public Request {
      Objects.requireNonNull(model, "model");
      Objects.requireNonNull(engine, "engine");
      inputs = Map.copyOf(inputs);
      Objects.requireNonNull(policy, "policy");
      Objects.requireNonNull(requestId, "requestId");
    }
  }

  /** The answer: outputs, the model that ran, and the issued receipt. */
  public record Outcome(
      Map<String, Tensor> outputs, SignedManifest manifest, IssuedReceipt receipt) {}

  public Outcome infer(Request req) throws Exception {
    SignedManifest manifest = resolve(req.model());
    InferenceEngine engine = engine(req.engine());
    try (ReceiptIssuer.Expected receipt = issuer.expect()) {
      return infer(req, manifest, engine, receipt);
    }
  }

  private Outcome infer(
      Request req, SignedManifest manifest, InferenceEngine engine, ReceiptIssuer.Expected receipt)
      throws Exception {
    Map<String, Tensor> outputs;
    Map<String, Tensor> inputs;
    InferenceResult result;
    try (ModelCache.Lease lease =
        cache.acquire(
            new ModelCache.Key(manifest.digest(), engine.info().id()),
            () -> load(engine, manifest))) {
      LoadedModel model = lease.model();
      inputs = named(model.inputs(), req.inputs());
      checkInputs(model.inputs(), inputs);
      // Deferred trace (policy none under auto): the receipt carries none, and a dispute gets the
      // provider's root by re-execution from the archived inputs (StoredTraces). A receipt carries
      // only the trace root and leaf count, so the run keeps no intermediates; the test-only cheat
      // tampers with opened leaves.
      boolean trace = engine.info().id().equals(StrictEngine.ID) && traceRule.eager(req.policy());
      RunOptions options =
          !trace
              ? RunOptions.DEFAULT
              : cheat.isPresent() ? RunOptions.WITH_TRACE : RunOptions.WITH_TRACE_ROOT;
      try {
        result = model.run(inputs, options);
      } catch (InferenceException e) {
        throw new ProblemException(
            Problem.of(422, "inference-failed", "Inference failed", e.getMessage()));
      }
      outputs = result.outputs();
    }
    // Fault injection for adversarial tests only: off unless audit-cheat is set (devnet only).
    if (cheat.isPresent()) {
      result = cheat.get().apply(result);
      outputs = result.outputs();
    }
    Digest inputDigest = TensorEncoding.digest(inputs);
    Digest outputDigest = TensorEncoding.digest(outputs);
    ReceiptDraft draft =
        ReceiptDraft.of(manifest.digest(), engine.info(), inputDigest, outputDigest)
            .withTrace(result.trace())
            .withPolicy(req.policy());
    if (req.requestId().isPresent()) {
      draft = draft.withRequestId(checkRequestId(req.requestId().get()));
    }
    // Kept so that a bundle fetched later can carry the input for re-execution.
    archive.save(inputDigest, inputs);
    archive.save(outputDigest, outputs);
    IssuedReceipt issued = receipt.issue(draft);
    return new Outcome(outputs, manifest, issued);
  }

  /** The inputs or outputs of a logged receipt by digest, if this node kept them. */
  @Override
  public Optional<Map<String, Tensor>> tensors(Digest digest) throws IOException {
    return archive.load(digest);
  }

  @Override
  public com.fasterxml.jackson.databind.JsonNode toJson(Map<String, Tensor> tensors) {
    return TensorJson.toJson(tensors, true);
  }

  private static String checkRequestId(String id) {
    if (id.isEmpty() || id.length() > 128 || !id.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw ProblemException.badRequest(
          "requestId must have 1 to 128 printable ASCII characters without spaces");
    }
    return id;
  }

  /** {@code name}, {@code name@version} or a manifest digest {@code sha256:...}. */
  public SignedManifest resolve(String ref) {
    if (ref.startsWith("sha256:")) {
      Digest d;
      try {
        d = Digest.parse(ref);
      } catch (RuntimeException e) {
        throw ProblemException.badRequest("model '" + ref + "' is not a valid sha256 digest");
      }
      return models
          .get(d)
          .orElseThrow(() -> ProblemException.notFound("no manifest " + d + " on this node"));
    }
    int at = ref.indexOf('@');
    String name = at < 0 ? ref : ref.substring(0, at);
    if (at < 0) {
      return models
          .latest(name)
          .orElseThrow(
              () ->
                  ProblemException.notFound(
                      "no model named '" + name + "' is published on this node"));
    }
    String version = ref.substring(at + 1);
    return models
        .find(name, version)
        .orElseThrow(
            () ->
                ProblemException.notFound(
                    "model '" + name + "' has no version '" + version + "' on this node"));
  }

  private InferenceEngine engine(String id) {
    return switch (id) {
      case StrictEngine.ID -> strict;
      case OrtEngine.ID -> ort.get();
      default ->
          throw ProblemException.badRequest(
              "unknown engine '" + id + "'; use one of " + String.join(", ", ENGINES));
    };
  }

  /** The one ONNX file of a manifest. */
  static ManifestFile onnxFile(SignedManifest m) {
    List<ManifestFile> onnx = new ArrayList<>();
    for (ManifestFile f : m.manifest().files()) {
      if (f.path().endsWith(".onnx")) {
        onnx.add(f);
      }
    }
    if (onnx.size() != 1) {
      throw new ProblemException(
          Problem.of(
              422,
              "model-unsupported",
              "Model not runnable",
              "model "
                  + m.manifest().name()
                  + "@"
                  + m.manifest().version()
                  + " has "
                  + onnx.size()
                  + " .onnx files; the tensor API runs models with exactly one"));
    }
    return onnx.get(0);
  }

  private LoadedModel load(InferenceEngine engine, SignedManifest m) throws Exception {
    ManifestFile f = onnxFile(m);
    if (f.size() > Math.min(limits.maxTotalBytes(), Integer.MAX_VALUE - 16L)) {
      throw new ProblemException(
          Problem.of(
              422,
              "model-too-large",
              "Model too large",
              "model file " + f.path() + " has " + f.size() + " bytes, over this node's limits"));
    }
    byte[] bytes = readVerified(f);
    try {
      if (engine instanceof StrictEngine s) {
        // A cheat that substitutes the model runs the substitute under the honest manifest.
        return s.load(cheat.map(c -> c.model(bytes)).orElse(bytes), limits);
      }
      // ONNX Runtime reads a file: hand it the verified bytes, not the store's copy.
      Path tmp = Files.createTempFile(tmpDir, "model-", ".onnx");
      try {
        Files.write(tmp, bytes);
        return engine.load(tmp, limits);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (ModelLoadException e) {
      throw new ProblemException(
          Problem.of(
              422,
              "model-unsupported",
              "Model not runnable",
              "engine " + engine.info().id() + " cannot load " + f.path() + ": " + e.getMessage()));
    }
  }

  private byte[] readVerified(ManifestFile f) throws Exception {
    byte[] bytes;
    try (InputStream in = models.blobs().open(f.digest())) {
      bytes = in.readNBytes((int) f.size() + 1);
    }
    MessageDigest md = Digest.newSha256();
    byte[] actual = md.digest(bytes);
    if (bytes.length != f.size() || !HexFormat.of().formatHex(actual).equals(f.digest().hex())) {
      throw new ProblemException(
          Problem.of(
              500,
              "store-corrupted",
              "Stored model damaged",
              "stored blob for " + f.path() + " does not match its digest " + f.digest()));
    }
    return bytes;
  }

  /** {@link #ANY_INPUT} stands for the only input of a one-input model. */
  static Map<String, Tensor> named(List<TensorSpec> specs, Map<String, Tensor> inputs) {
    if (inputs.size() == 1 && inputs.containsKey(ANY_INPUT) && specs.size() == 1) {
      return Map.of(specs.get(0).name(), inputs.get(ANY_INPUT));
    }
    return inputs;
  }

  /** The input name that means "the model's only input" (the receipt records the real name). */
  public static final String ANY_INPUT = "_";

  static void checkInputs(List<TensorSpec> specs, Map<String, Tensor> inputs) {
    for (String name : inputs.keySet()) {
      if (specs.stream().noneMatch(s -> s.name().equals(name))) {
        throw new ProblemException(
            Problem.of(
                    400,
                    "bad-input",
                    "Bad input",
                    "the model has no input named '"
                        + name
                        + "'; its inputs are "
                        + specs.stream().map(TensorSpec::name).toList())
                .with("tensor", name));
      }
    }
    for (TensorSpec s : specs) {
      Tensor t = inputs.get(s.name());
      if (t == null) {
        throw new ProblemException(
            Problem.of(400, "bad-input", "Bad input", "input '" + s.name() + "' is missing")
                .with("tensor", s.name()));
      }
      if (t.type() != s.type()) {
        throw new ProblemException(
            Problem.of(
                    400,
                    "bad-input",
                    "Bad input",
                    "input '"
                        + s.name()
                        + "' must have dtype "
                        + TensorJson.dtypeName(s.type())
                        + ", got "
                        + TensorJson.dtypeName(t.type()))
                .with("tensor", s.name()));
      }
      boolean rankOk = t.rank() == s.dims().size();
      boolean dimsOk = rankOk;
      for (int i = 0; rankOk && i < t.rank(); i++) {
        long want = s.dims().get(i);
        if (want >= 0 && want != t.shape()[i]) {
          dimsOk = false;
        }
      }
      if (!dimsOk) {
        throw new ProblemException(
            Problem.of(
                    400,
                    "bad-input",
                    "Bad input",
                    "input '"
                        + s.name()
                        + "' must have shape "
                        + s.dims()
                        + " (-1 = any), got "
                        + java.util.Arrays.toString(t.shape()))
                .with("tensor", s.name()));
      }
    }
  }

  public EngineLimits limits() {
    return limits;
  }

  /** The configured fault injection (tests on a devnet only); empty normally. */
  public Optional<NodeCheat> cheat() {
    return cheat;
  }

  @Override
  public void close() {
    cache.close();
    try {
      archive.close();
    } catch (IOException e) {
      LOG.warn("closing the input archive failed", e);
    }
  }

  /** Creates a value on first use. */
  static final class Lazy<T> {
    private final Supplier<T> make;
    private T value;

    Lazy(Supplier<T> make) {
      this.make = make;
    }

    synchronized T get() {
      if (value == null) {
        value = make.get();
      }
      return value;
    }
  }
}
