package dev.verity.cli.model;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code verity model}: publish, find, download and verify models. */
@Command(
    name = "model",
    mixinStandardHelpOptions = true,
    description = "Publish models with signed manifests; list, show, download and verify them.",
    subcommands = {
      PublishCommand.class,
      ListCommand.class,
      ShowCommand.class,
      DownloadCommand.class,
      VerifyCommand.class
    })
public final class ModelCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
