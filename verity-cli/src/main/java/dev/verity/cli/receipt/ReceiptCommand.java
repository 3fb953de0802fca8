package dev.verity.cli.receipt;

import dev.verity.cli.NodeOption;
import dev.verity.cli.infer.InferCommand;
import dev.verity.client.VerityClient;
import dev.verity.log.bundle.ReceiptBundle;
import dev.verity.receipt.ReceiptJson;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code verity receipt}: fetch receipts and verification bundles from a node. */
@Command(
    name = "receipt",
    mixinStandardHelpOptions = true,
    description = "Fetch a receipt or its offline verification bundle by request id.",
    subcommands = {ReceiptCommand.Show.class, ReceiptCommand.Bundle.class})
public final class ReceiptCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Print a receipt (JSON) and where it is in the node's log.",
      footerHeading = "%nExamples:%n",
      footer = {"  verity receipt show req-1234 --node http://127.0.0.1:7070"})
  public static final class Show implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "REQUEST_ID")
    String requestId;

    @CommandLine.Mixin NodeOption node;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      try (VerityClient client = node.connect()) {
        ReceiptBundle b = client.receipt(requestId);
        out.println(ReceiptJson.toJson(b.receipt()));
        out.println(
            "log index "
                + b.logIndex()
                + " of "
                + b.inclusion().treeSize()
                + "; receipt id "
                + b.receipt().id());
      }
      out.flush();
      return 0;
    }
  }

  @Command(
      name = "bundle",
      mixinStandardHelpOptions = true,
      description =
          "Save everything needed to verify a receipt offline (verity-inference-bundle/v1):"
              + " receipt, inclusion proof, checkpoint with cosignatures, model manifest, input"
              + " and output tensors.",
      footerHeading = "%nExamples:%n",
      footer = {"  verity receipt bundle req-1234 --out req-1234.bundle.json"})
  public static final class Bundle implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "REQUEST_ID")
    String requestId;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Bundle file.")
    Path out;

    @CommandLine.Mixin NodeOption node;

    @Override
    public Integer call() throws Exception {
      try (VerityClient client = node.connect()) {
        InferCommand.writeAtomically(out, client.bundleJson(requestId));
      }
      spec.commandLine().getOut().println("saved bundle for " + requestId + " to " + out);
      spec.commandLine().getOut().flush();
      return 0;
    }
  }
}
