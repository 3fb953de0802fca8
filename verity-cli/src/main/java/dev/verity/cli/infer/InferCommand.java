package dev.verity.cli.infer;

import dev.verity.cli.CliException;
import dev.verity.cli.NodeOption;
import dev.verity.client.InferRequest;
import dev.verity.client.InferenceReply;
import dev.verity.client.VerityClient;
import dev.verity.engine.DataType;
import dev.verity.engine.Tensor;
import dev.verity.receipt.Receipt;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code verity infer}: run a model on a node and print its outputs and receipt. */
@Command(
    name = "infer",
    mixinStandardHelpOptions = true,
    description = {
      "Run a published model on a node. Prints the outputs (and the predicted class for"
          + " classifiers) and the signed receipt, which the node logged before answering.",
      "--input takes JSON tensors {\"name\": {\"dtype\": \"float32\", \"shape\": [...],"
          + " \"data\": [...] or \"<base64 of little-endian bytes>\"}}, or a grayscale PGM/PNG"
          + " image, sent as the model's only input as float32 [1,1,H,W] with pixel values"
          + " 0-255."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  verity infer --model mnist@7 --input digit.pgm",
      "  verity infer --model mnist --input tensors.json --engine ort",
      "  verity infer --digest sha256:<manifest> --input - --out receipt.bundle.json < t.json"
    })
public final class InferCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  static final class ModelChoice {
    @Option(names = "--model", paramLabel = "NAME[@VERSION]", description = "Model name.")
    String model;

    @Option(names = "--digest", paramLabel = "DIGEST", description = "Manifest digest.")
    String digest;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  ModelChoice model;

  @Option(
      names = "--input",
      required = true,
      paramLabel = "FILE|-",
      description = "JSON tensors or a PGM/PNG image; - reads standard input.")
  String input;

  @Option(
      names = "--engine",
      defaultValue = "strict",
      paramLabel = "strict|ort",
      description = "strict (bit-exact, default) or ort (ONNX Runtime, within tolerance).")
  String engine;

  @Option(
      names = "--policy",
      defaultValue = "none",
      paramLabel = "POLICY",
      description = "Verification policy: none (default), sample:P, replicate:K, var:V.")
  String policy;

  @Option(
      names = "--tier",
      paramLabel = "none|sample:P|replicate:K|var:V:BUDGET",
      description =
          "Verification tier, resolved here: value at risk V with a budget picks the cheapest"
              + " tier; prints the stated detection probability. Overrides --policy.")
  String tier;

  @Option(names = "--request-id", paramLabel = "ID", description = "Request id (default: new).")
  String requestId;

  @Option(
      names = "--out",
      paramLabel = "FILE",
      description = "Save the verification bundle (verity-inference-bundle/v1) here.")
  Path out;

  @CommandLine.Mixin NodeOption node;

  @Override
  public Integer call() throws Exception {
    PrintWriter o = spec.commandLine().getOut();
    byte[] content =
        input.equals("-") ? System.in.readAllBytes() : Files.readAllBytes(Path.of(input));
    Map<String, Tensor> inputs = InputFiles.parse(content, input.equals("-") ? "stdin" : input);
    String ref = model.model != null ? model.model : model.digest;
    String sent = policy;
    if (tier != null) {
      dev.verity.client.tier.TierChoice choice;
      try {
        choice = dev.verity.client.tier.TierChoice.of(tier);
      } catch (RuntimeException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
      }
      sent = choice.policy().text();
      o.println("tier:        " + choice.describe());
    }
    try (VerityClient client = node.connect()) {
      InferRequest req =
          InferRequest.of(ref, inputs)
              .withEngine(engine)
              .withPolicy(sent)
              .withRequestId(requestId == null ? "" : requestId);
      InferenceReply reply = client.infer(req);
      printOutputs(o, reply.outputs());
      printReceipt(o, reply);
      if (tier != null) {
        o.println("signed tier: " + reply.receipt().receipt().receipt().policy().text());
      }
      if (out != null) {
        writeAtomically(out, client.bundleJson(reply.requestId()));
        o.println("bundle:      " + out);
      }
    }
    o.flush();
    return 0;
  }

  public static void printOutputs(PrintWriter o, Map<String, Tensor> outputs) {
    for (Map.Entry<String, Tensor> e : outputs.entrySet()) {
      Tensor t = e.getValue();
      o.printf(
          "output %s: %s %s%n",
          e.getKey(),
          t.type().name().toLowerCase(java.util.Locale.ROOT),
          Arrays.toString(t.shape()));
      if (t.type() == DataType.FLOAT32 && t.elementCount() <= 32) {
        float[] v = t.toFloats();
        StringBuilder sb = new StringBuilder("  [");
        for (int i = 0; i < v.length; i++) {
          sb.append(i == 0 ? "" : ", ").append(String.format(java.util.Locale.ROOT, "%.4f", v[i]));
        }
        o.println(sb.append("]"));
      }
      argmax(t).ifPresent(a -> o.println("prediction:  " + a));
    }
  }

  /** The class index of a classifier's [1, K] or [K] float output. */
  public static java.util.OptionalInt argmax(Tensor t) {
    long[] s = t.shape();
    boolean vector = s.length == 1 || (s.length == 2 && s[0] == 1);
    if (t.type() != DataType.FLOAT32 || !vector || t.elementCount() < 2) {
      return java.util.OptionalInt.empty();
    }
    float[] v = t.toFloats();
    int best = 0;
    for (int i = 1; i < v.length; i++) {
      if (v[i] > v[best]) {
        best = i;
      }
    }
    return java.util.OptionalInt.of(best);
  }

  public static void printReceipt(PrintWriter o, InferenceReply reply) {
    Receipt r = reply.receipt().receipt().receipt();
    o.println("request:     " + reply.requestId());
    o.println(
        "model:       " + reply.modelName() + "@" + reply.modelVersion() + " " + r.modelDigest());
    o.println(
        "engine:      "
            + r.engineId()
            + " "
            + r.engineVersion()
            + " ("
            + r.numericMode().name().toLowerCase(java.util.Locale.ROOT)
            + ")");
    o.println("input:       " + r.inputDigest());
    o.println("output:      " + r.outputDigest());
    if (r.traceLeaves() > 0) {
      o.println("trace:       " + r.traceRoot() + " (" + r.traceLeaves() + " tensors)");
    } else if (r.numericMode() == dev.verity.engine.NumericMode.BITWISE) {
      o.println("trace:       deferred (policy " + r.policy().text() + "; committed in a dispute)");
    }
    o.println("receipt:     " + reply.receiptId() + " signed by " + r.node().toChecksumString());
    o.println(
        "log:         index "
            + reply.logIndex()
            + " of "
            + reply.receipt().inclusion().treeSize()
            + " (inclusion proof of "
            + reply.receipt().inclusion().path().size()
            + " hashes)");
  }

  /** Writes text to a temporary file next to {@code target}, then renames it into place. */
  public static void writeAtomically(Path target, String text) throws IOException {
    Path abs = target.toAbsolutePath();
    Path dir = abs.getParent();
    if (dir != null && !Files.isDirectory(dir)) {
      throw new CliException("directory " + dir + " does not exist");
    }
    Path tmp = Files.createTempFile(dir, "." + abs.getFileName(), ".tmp");
    try {
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      try (var ch =
          java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
