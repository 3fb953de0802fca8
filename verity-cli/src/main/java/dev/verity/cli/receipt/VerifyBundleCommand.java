package dev.verity.cli.receipt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.verity.cli.CliException;
import dev.verity.client.InferenceBundle;
import dev.verity.client.ReceiptVerifier;
import dev.verity.client.VerificationException;
import dev.verity.client.VerificationOptions;
import dev.verity.client.VerifiedInference;
import dev.verity.core.Bytes;
import dev.verity.log.ConsistencyProof;
import dev.verity.log.note.VerifierKey;
import dev.verity.receipt.Receipt;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code verity verify BUNDLE}: offline verification of an inference bundle. */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Verify an inference bundle offline: the receipt signature, its inclusion in the node's"
          + " log under a checkpoint signed by the log key, witness cosignatures, the model"
          + " manifest signature and, with --reexecute, a strict re-run that must reproduce the"
          + " output digest and trace root bit for bit. Uses no network.",
      "Exit code 0 when every check passes; 3 when one fails, naming it (bad receipt signature,"
          + " not in log, checkpoint not consistent, output differs at tensor X, ...)."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  verity verify r.bundle.json --log-key 'verity.node/0x...+1234abcd+AQ...'",
      "  verity verify r.bundle.json --reexecute --model-dir ./mnist",
      "  verity verify r.bundle.json --witness-key W1 --witness-key W2 --witness-quorum 1",
      "  verity verify r.bundle.json --checkpoint seen.note --consistency-proof proof.json"
    })
public final class VerifyBundleCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "BUNDLE", description = "Bundle file.")
  Path bundleFile;

  @Option(
      names = "--log-key",
      paramLabel = "VKEY|FILE",
      description =
          "The node's log verifier key (or a file holding it). Without it the key inside the"
              + " bundle is used, which proves nothing about who runs the log.")
  String logKey;

  @Option(
      names = "--witness-key",
      paramLabel = "VKEY|FILE",
      description = "A witness key whose cosignature counts (repeatable).")
  List<String> witnessKeys = new ArrayList<>();

  @Option(
      names = "--witness-quorum",
      paramLabel = "N",
      description = "Cosignatures required (default: all given witness keys).")
  Integer quorum;

  @Option(
      names = "--checkpoint",
      paramLabel = "FILE",
      description = "A checkpoint seen before; the bundle's must be consistent with it.")
  Path checkpoint;

  @Option(
      names = "--consistency-proof",
      paramLabel = "FILE",
      description =
          "JSON {from, to, proof} as served by /v1/log/proof/consistency, when --checkpoint has"
              + " another size than the bundle's checkpoint.")
  Path consistencyProof;

  @Option(names = "--reexecute", description = "Re-run the strict engine on the bundled input.")
  boolean reexecute;

  @Option(
      names = "--model-dir",
      paramLabel = "DIR",
      description = "Model files named as in the manifest (or the .onnx file itself).")
  Path modelDir;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (reexecute && modelDir == null) {
      throw new CliException("--reexecute needs --model-dir with the model files");
    }
    InferenceBundle bundle;
    try {
      bundle = InferenceBundle.parse(Files.readString(bundleFile, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw new CliException(bundleFile + " is not a valid bundle: " + e.getMessage());
    }
    VerifierKey key;
    if (logKey != null) {
      key = vkey(logKey, "--log-key");
    } else {
      key = ReceiptVerifier.bundledLogKey(bundle);
      err.println(
          "warning: trusting the log key inside the bundle ("
              + key.name()
              + "); pin it with"
              + " --log-key");
    }
    VerificationOptions opts = VerificationOptions.trusting(key);
    if (!witnessKeys.isEmpty()) {
      List<VerifierKey> ws = new ArrayList<>();
      for (String w : witnessKeys) {
        ws.add(vkey(w, "--witness-key"));
      }
      opts.witnesses(ws, quorum != null ? quorum : ws.size());
    }
    if (checkpoint != null) {
      opts.previouslySeen(
          Files.readString(checkpoint, StandardCharsets.UTF_8),
          consistencyProof != null ? proof(consistencyProof) : null);
    }
    if (reexecute) {
      opts.reexecute(modelDir);
    }
    VerifiedInference v;
    try {
      v = ReceiptVerifier.verify(bundle, opts);
    } catch (VerificationException e) {
      err.println(
          "verification FAILED ("
              + e.failure().name().toLowerCase(Locale.ROOT).replace('_', '-')
              + "): "
              + e.getMessage());
      err.flush();
      return 3;
    }
    Receipt r = v.receipt().receipt();
    out.println("receipt signature:  valid, node " + r.node().toChecksumString());
    out.println(
        "log inclusion:      index "
            + v.logIndex()
            + " in checkpoint "
            + v.checkpoint().origin()
            + " size "
            + v.checkpoint().size());
    out.println(
        "witnesses:          "
            + (v.witnesses().isEmpty() ? "none required" : String.join(", ", v.witnesses())));
    if (checkpoint != null) {
      out.println("consistency:        consistent with " + checkpoint);
    }
    out.println(
        "model manifest:     "
            + v.modelName()
            + "@"
            + v.modelVersion()
            + " "
            + r.modelDigest()
            + ", signature valid");
    out.println(
        "re-execution:       "
            + (v.reexecuted()
                ? (r.numericMode().name().equals("BITWISE")
                    ? "strict engine reproduced output digest"
                        + (r.traceLeaves() > 0
                            ? " and trace root bit for bit"
                            : " bit for bit; trace deferred (the receipt commits none: it is"
                                + " committed on demand, in a dispute)")
                    : "strict engine agrees within tolerance")
                : "not requested"));
    out.println("OK");
    out.flush();
    return 0;
  }

  static VerifierKey vkey(String text, String option) throws IOException {
    String t = text.strip();
    try {
      Path p = Path.of(t);
      if (Files.isRegularFile(p)) {
        t = Files.readString(p, StandardCharsets.UTF_8).strip();
      }
    } catch (java.nio.file.InvalidPathException e) {
      // Not a file name: the key text itself.
    }
    try {
      return VerifierKey.parse(t);
    } catch (IllegalArgumentException e) {
      throw new CliException(option + " is not a verifier key: " + e.getMessage());
    }
  }

  static ConsistencyProof proof(Path file) throws IOException {
    JsonNode n = new ObjectMapper().readTree(Files.readAllBytes(file));
    List<Bytes> path = new ArrayList<>();
    for (JsonNode h : n.path("proof")) {
      path.add(Bytes.copyOf(Base64.getDecoder().decode(h.asText())));
    }
    try {
      return new ConsistencyProof(n.path("from").asLong(), n.path("to").asLong(), path);
    } catch (IllegalArgumentException e) {
      throw new CliException(file + " is not a consistency proof: " + e.getMessage());
    }
  }
}
