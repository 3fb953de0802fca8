package dev.verity.cli.demo;

import dev.verity.cli.Paths;
import dev.verity.cli.model.DownloadCommand;
import dev.verity.cli.model.PublishCommand;
import dev.verity.cli.progress.Progress;
import dev.verity.cli.progress.ProgressBar;
import dev.verity.client.ModelSummary;
import dev.verity.client.VerityClient;
import dev.verity.core.key.KeyFiles;
import dev.verity.core.key.SigningKey;
import dev.verity.hub.manifest.ModelManifest;
import dev.verity.hub.manifest.SignedManifest;
import dev.verity.hub.publish.ModelVerifier;
import dev.verity.hub.publish.PublishOptions;
import dev.verity.node.VerityNode;
import dev.verity.node.config.NodeConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code verity demo}: the model hub end to end on a local, in-process node. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Start a local node, publish the shared MNIST and TinyStories models with signed"
          + " manifests, download one back, verify it offline, and shut down.",
      "Uses a demo publisher key (~/.verity/demo/publisher.key, created if missing), a"
          + " temporary data directory and an ephemeral port on 127.0.0.1. The shared models are"
          + " found via -Dverity.shared, $VERITY_SHARED or ../shared next to the repository."
    },
    footerHeading = "%nExamples:%n",
    footer = {"  verity demo", "  verity demo --data-dir /tmp/verity-demo   keep the node's data"})
public final class DemoCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "Keep the node's data here instead of a temporary directory.")
  Path dataDir;

  @Option(
      names = "--key",
      paramLabel = "FILE",
      description = "Publisher key (default: ~/.verity/demo/publisher.key, created if missing).")
  Path key;

  /** The demo's steps, in order. */
  public static List<DemoStep> steps() {
    InferenceDemoSteps mnist = new InferenceDemoSteps();
    return List.of(
        new DemoStep("Start a local node", DemoCommand::startNode),
        new DemoStep(
            "Publish MNIST as mnist@7",
            ctx ->
                publish(
                    ctx,
                    ctx.shared.resolve("models/mnist/mnist-7.onnx"),
                    "mnist",
                    "7",
                    PublishOptions.none()
                        .withLicense("MIT")
                        .withDescription("MNIST handwritten digit classifier (ONNX opset 7)")
                        .withSource("https://github.com/microsoft/onnxruntime-web-demo"))),
        new DemoStep(
            "Publish TinyStories 260K as tinystories-260k@1",
            ctx ->
                publish(
                    ctx,
                    ctx.shared.resolve("models/tinyllamas"),
                    "tinystories-260k",
                    "1",
                    PublishOptions.none()
                        .withLicense("MIT")
                        .withDescription("TinyStories 260K Llama-2 model with its tokenizer")
                        .withSource("https://github.com/karpathy/tinyllamas"))),
        new DemoStep("List the node's models", DemoCommand::list),
        new DemoStep("Download tinystories-260k@1 back", DemoCommand::download),
        new DemoStep("Verify the download offline", DemoCommand::verify),
        ChatDemoStep.step(),
        mnist.classify(),
        mnist.verifyOffline());
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Path shared = SharedDir.locate();
    SigningKey publisher =
        demoKey(key != null ? key : Paths.home().resolve("demo/publisher.key"), out);
    Path work = Files.createTempDirectory("verity-demo-");
    Path data = dataDir != null ? dataDir : work.resolve("node");
    DemoContext ctx =
        new DemoContext(out, err, Progress.detect(err), shared, data, work, publisher);
    long start = System.nanoTime();
    try {
      List<DemoStep> steps = steps();
      for (int i = 0; i < steps.size(); i++) {
        out.printf("%n[%d/%d] %s%n", i + 1, steps.size(), steps.get(i).title());
        out.flush();
        steps.get(i).action().run(ctx);
        out.flush();
      }
      summary(ctx, (System.nanoTime() - start) / 1e9);
    } finally {
      if (ctx.client != null) {
        ctx.client.close();
      }
      if (ctx.node != null) {
        ctx.node.close();
        out.println("node stopped");
      }
      deleteTree(work);
      out.flush();
    }
    return 0;
  }

  static SigningKey demoKey(Path file, PrintWriter out) throws Exception {
    if (!Files.exists(file)) {
      Path dir = file.toAbsolutePath().getParent();
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(
            dir,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      }
      KeyFiles.writePrivate(file, SigningKey.generate());
      out.println("created demo publisher key " + file + " (mode 0600)");
    }
    SigningKey k = KeyFiles.readPrivate(file);
    out.println("publisher: " + k.verifyingKey().toText() + " (" + k.verifyingKey().keyId() + ")");
    return k;
  }

  static void startNode(DemoContext ctx) throws IOException {
    ctx.node = VerityNode.start(NodeConfig.ephemeral(ctx.dataDir));
    ctx.client = VerityClient.connect(ctx.node.url());
    ctx.out.println("node running at " + ctx.node.url() + " (data in " + ctx.dataDir + ")");
  }

  static void publish(DemoContext ctx, Path path, String name, String version, PublishOptions o)
      throws Exception {
    if (ctx.client.listModels(Optional.of(name)).stream()
        .anyMatch(m -> m.name().equals(name) && m.version().equals(version))) {
      // A kept --data-dir already has it; versions are immutable, so reuse it.
      SignedManifest existing = ctx.client.model(name, version);
      existing.verify();
      ctx.published.put(name + "@" + version, existing);
      ctx.out.println(name + "@" + version + " already published: " + existing.digest());
      return;
    }
    PublishCommand.Result r =
        PublishCommand.publish(ctx.client, path, name, version, o, ctx.key, ctx.progress, ctx.err);
    ctx.published.put(name + "@" + version, r.manifest());
    ctx.out.println(name + "@" + version + " manifest digest: " + r.published().digest());
  }

  static void list(DemoContext ctx) throws IOException {
    for (ModelSummary m : ctx.client.listModels(Optional.empty())) {
      ctx.out.printf(
          "  %-18s %-6s %-8s %10s  %s%n",
          m.name(), m.version(), m.format(), ProgressBar.human(m.totalSize()), m.digest());
    }
  }

  static void download(DemoContext ctx) throws Exception {
    SignedManifest sm = ctx.client.model("tinystories-260k", "1");
    ctx.downloadedDir = ctx.workDir.resolve("download").resolve("tinystories-260k");
    ctx.downloadedManifest =
        DownloadCommand.download(
            ctx.client, sm, ctx.downloadedDir, null, ctx.key.verifyingKey(), ctx.progress);
    try (Stream<Path> files = Files.list(ctx.downloadedDir)) {
      for (Path f : files.sorted().toList()) {
        ctx.out.printf("  %-16s %10d bytes%n", f.getFileName(), Files.size(f));
      }
    }
    ctx.out.println("  into " + ctx.downloadedDir);
  }

  static void verify(DemoContext ctx) throws Exception {
    // Offline: only the saved manifest file and the downloaded files, no node involved.
    SignedManifest sm = SignedManifest.parse(Files.readAllBytes(ctx.downloadedManifest));
    ModelVerifier.verifyDirectory(ctx.downloadedDir, sm, ctx.key.verifyingKey());
    ModelManifest m = sm.manifest();
    ctx.out.println(
        "  verified "
            + m.name()
            + "@"
            + m.version()
            + ": signature by "
            + m.publisher().keyId()
            + ", "
            + m.files().size()
            + " files match "
            + sm.digest());
  }

  static void summary(DemoContext ctx, double seconds) {
    ctx.out.printf("%nSummary (%.1f s)%n", seconds);
    ctx.published.forEach(
        (id, sm) ->
            ctx.out.printf(
                "  %-22s %s  %d file(s), %s%n",
                id,
                sm.digest(),
                sm.manifest().files().size(),
                ProgressBar.human(sm.manifest().totalSize())));
    ctx.out.println("  downloaded tinystories-260k@1 and verified it offline: OK");
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
