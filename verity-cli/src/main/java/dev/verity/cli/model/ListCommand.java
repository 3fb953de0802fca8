package dev.verity.cli.model;

import dev.verity.cli.NodeOption;
import dev.verity.cli.progress.ProgressBar;
import dev.verity.client.ModelSummary;
import dev.verity.client.VerityClient;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code verity model list}. */
@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    description = "List the models on a node, newest version first, optionally matching a query.",
    footerHeading = "%nExamples:%n",
    footer = {"  verity model list", "  verity model list --query mnist"})
public final class ListCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"--query", "-q"},
      paramLabel = "Q",
      description = "Only models whose name contains Q (case-insensitive).")
  String query;

  @CommandLine.Mixin NodeOption node;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    try (VerityClient client = node.connect()) {
      List<ModelSummary> models = client.listModels(Optional.ofNullable(query));
      if (models.isEmpty()) {
        out.println(query == null ? "no models published" : "no models match '" + query + "'");
      } else {
        String fmt = "%-28s %-10s %-8s %10s  %-20s  %s%n";
        out.printf(fmt, "MODEL", "VERSION", "FORMAT", "SIZE", "CREATED", "MANIFEST");
        for (ModelSummary m : models) {
          out.printf(
              fmt,
              m.name(),
              m.version(),
              m.format(),
              ProgressBar.human(m.totalSize()),
              m.createdAt(),
              m.digest());
        }
      }
      out.flush();
    }
    return 0;
  }
}
