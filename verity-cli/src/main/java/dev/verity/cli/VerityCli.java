package dev.verity.cli;

import dev.verity.cli.chat.ChatCommand;
import dev.verity.cli.demo.DemoCommand;
import dev.verity.cli.devnet.DevnetCommand;
import dev.verity.cli.infer.InferCommand;
import dev.verity.cli.key.KeyCommand;
import dev.verity.cli.log.LogCommand;
import dev.verity.cli.model.ModelCommand;
import dev.verity.cli.node.NodeCommand;
import dev.verity.cli.receipt.ReceiptCommand;
import dev.verity.cli.receipt.VerifyBundleCommand;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code verity} command. */
@Command(
    name = "verity",
    mixinStandardHelpOptions = true,
    version = "verity 0.1.0",
    description = "Verifiable AI inference: publish models, run a node, verify answers.",
    subcommands = {
      KeyCommand.class,
      ModelCommand.class,
      NodeCommand.class,
      InferCommand.class,
      VerifyBundleCommand.class,
      ReceiptCommand.class,
      LogCommand.class,
      ChatCommand.class,
      DemoCommand.class,
      DevnetCommand.class,
      CommandLine.HelpCommand.class
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  verity demo                        publish, download and verify the shared models",
      "  verity devnet                      a local network: Anvil, contracts, 4 node processes",
      "  verity key generate                create a publisher key (~/.verity/keys)",
      "  verity node run --port 7070        run a node until Ctrl-C",
      "  verity model publish DIR --name my-model --version 1",
      "",
      "Add --verbose to any command to see stack traces of errors."
    })
public final class VerityCli implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Option(
      names = "--verbose",
      scope = CommandLine.ScopeType.INHERIT,
      description = "Print stack traces of errors.")
  boolean verbose;

  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new VerityCli());
    cl.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          PrintWriter err = commandLine.getErr();
          err.println("error: " + message(ex));
          if (List.of(parseResult.originalArgs().toArray(new String[0])).contains("--verbose")) {
            ex.printStackTrace(err);
          }
          err.flush();
          return ex instanceof CliException c ? c.exitCode() : 1;
        });
    return cl;
  }

  /** The exception's own message; the class name only when it has none. */
  static String message(Throwable ex) {
    String m = ex.getMessage();
    if (ex instanceof java.nio.file.NoSuchFileException n) {
      return "no such file: " + n.getFile();
    }
    if (ex instanceof java.nio.file.AccessDeniedException a) {
      return "permission denied: " + a.getFile();
    }
    if (m == null || m.isBlank()) {
      return ex.getClass().getSimpleName();
    }
    return m;
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
