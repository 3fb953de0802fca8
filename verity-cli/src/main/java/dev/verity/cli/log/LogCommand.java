package dev.verity.cli.log;

import dev.verity.cli.CliException;
import dev.verity.cli.NodeOption;
import dev.verity.client.NodeIdentity;
import dev.verity.client.VerityClient;
import dev.verity.client.WitnessResult;
import java.io.PrintWriter;
import java.net.URI;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code verity log}: a node's transparency log and witnessing. */
@Command(
    name = "log",
    mixinStandardHelpOptions = true,
    description = "Inspect a node's transparency log; witness another node's log.",
    subcommands = {LogCommand.Checkpoint.class, LogCommand.Witness.class})
public final class LogCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "checkpoint",
      mixinStandardHelpOptions = true,
      description = "Print the node's identity, log key and current signed checkpoint.",
      footerHeading = "%nExamples:%n",
      footer = {"  verity log checkpoint --node http://127.0.0.1:7070"})
  public static final class Checkpoint implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin NodeOption node;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      try (VerityClient client = node.connect()) {
        NodeIdentity id = client.node();
        out.println("node:     " + id.address());
        out.println("log key:  " + id.logKey().encode());
        out.println();
        out.print(client.checkpoint());
      }
      out.flush();
      return 0;
    }
  }

  @Command(
      name = "witness",
      mixinStandardHelpOptions = true,
      description = {
        "Ask the node (--node) to witness the log of the node at --peer now: it fetches the"
            + " peer's checkpoint and a consistency proof from the last one it cosigned, checks"
            + " both, cosigns, and delivers the cosignature to the peer. A checkpoint that"
            + " contradicts an earlier one is kept as fork evidence (exit code 4)."
      },
      footerHeading = "%nExamples:%n",
      footer = {"  verity log witness --peer http://127.0.0.1:7071 --node http://127.0.0.1:7070"})
  public static final class Witness implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--peer", required = true, paramLabel = "URL", description = "Peer node.")
    String peer;

    @CommandLine.Mixin NodeOption node;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      URI u;
      try {
        u = URI.create(peer);
      } catch (IllegalArgumentException e) {
        throw new CliException("--peer is not a URL: " + peer);
      }
      try (VerityClient client = node.connect()) {
        WitnessResult r = client.witness(u);
        switch (r.outcome()) {
          case "cosigned" -> {
            out.println(
                "cosigned "
                    + r.peer()
                    + " at size "
                    + r.size()
                    + (r.previousSize() > 0
                        ? " (consistent with size " + r.previousSize() + ")"
                        : " (first contact)")
                    + ", cosignature "
                    + r.detail());
            out.println("witness key: " + client.witnessKey().encode());
          }
          case "fork" -> {
            out.println("FORK detected in " + r.peer() + " (" + r.detail() + "); evidence kept");
            out.flush();
            return 4;
          }
          default -> throw new CliException("witnessing " + r.peer() + " failed: " + r.detail());
        }
      }
      out.flush();
      return 0;
    }
  }
}
