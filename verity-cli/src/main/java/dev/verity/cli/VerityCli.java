package dev.verity.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code verity} command. */
@Command(
    name = "verity",
    mixinStandardHelpOptions = true,
    version = "verity 0.1.0",
    description = "Verifiable AI inference: publish models, run a node, verify answers.",
    subcommands = {CommandLine.HelpCommand.class})
public final class VerityCli implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new VerityCli());
    cl.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          commandLine.getErr().println("error: " + ex.getMessage());
          return 1;
        });
    return cl;
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
