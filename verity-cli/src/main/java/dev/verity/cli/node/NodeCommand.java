package dev.verity.cli.node;

import dev.verity.cli.CliException;
import dev.verity.node.VerityNode;
import dev.verity.node.config.NodeConfig;
import java.io.PrintWriter;
import java.net.BindException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code verity node}: run a node. */
@Command(
    name = "node",
    mixinStandardHelpOptions = true,
    description = "Run a Verity node.",
    subcommands = {NodeCommand.Run.class})
public final class NodeCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "run",
      mixinStandardHelpOptions = true,
      description = {
        "Run a node in the foreground until Ctrl-C (SIGINT) or SIGTERM, then shut down cleanly:"
            + " stop accepting requests, let those in flight finish, close the store.",
        "Settings come from defaults, then --config, then VERITY_NODE_* environment variables"
            + " (VERITY_NODE_DATA_DIR, VERITY_NODE_HOST, VERITY_NODE_PORT,"
            + " VERITY_NODE_MAX_UPLOAD_SIZE, VERITY_NODE_MAX_JSON_SIZE,"
            + " VERITY_NODE_SHUTDOWN_GRACE_SECONDS), then these options."
      },
      footerHeading = "%nExamples:%n",
      footer = {
        "  verity node run                              127.0.0.1:7070, data in ~/.verity/node",
        "  verity node run --port 0 --data-dir /tmp/n   any free port",
        "  verity node run --config node.properties     keys: data-dir, host, port,",
        "                                               max-upload-size (e.g. 2GiB), ..."
      })
  public static final class Run implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--config",
        paramLabel = "FILE",
        description = "Config file (.json or .properties).")
    Path config;

    @Option(
        names = "--data-dir",
        paramLabel = "DIR",
        description = "Where blobs and manifests live.")
    Path dataDir;

    @Option(
        names = "--host",
        paramLabel = "HOST",
        description = "Bind address (default 127.0.0.1).")
    String host;

    @Option(names = "--port", paramLabel = "PORT", description = "Port (0 = any free port).")
    Integer port;

    private final CountDownLatch stop = new CountDownLatch(1);
    private volatile VerityNode node;

    @Override
    public Integer call() throws Exception {
      // Before the node creates its loggers: show its lifecycle and access log.
      if (System.getProperty("org.slf4j.simpleLogger.log.dev.verity") == null) {
        System.setProperty("org.slf4j.simpleLogger.log.dev.verity", "info");
      }
      NodeConfig c = NodeConfig.load(Optional.ofNullable(config), System.getenv());
      if (dataDir != null) {
        c = c.withDataDir(dataDir);
      }
      if (host != null) {
        c = c.withHost(host);
      }
      if (port != null) {
        c = c.withPort(port);
      }
      try {
        node = VerityNode.start(c);
      } catch (BindException e) {
        throw new CliException(
            "cannot listen on "
                + c.host()
                + ":"
                + c.port()
                + ": "
                + e.getMessage()
                + " (choose another --port)");
      }
      Thread hook = new Thread(this::stop, "verity-node-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      PrintWriter out = spec.commandLine().getOut();
      out.println("Verity node running at " + node.url() + " (data in " + c.dataDir() + ")");
      out.println("Press Ctrl-C to stop.");
      out.flush();
      stop.await();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // Already shutting down: the hook is running.
      }
      out.println("Verity node stopped");
      out.flush();
      return 0;
    }

    /** Stops the node (from the shutdown hook, or a test). */
    public void stop() {
      VerityNode n = node;
      if (n != null) {
        n.close();
      }
      stop.countDown();
    }

    /** The running node, once started. */
    public Optional<VerityNode> node() {
      return Optional.ofNullable(node);
    }
  }
}
