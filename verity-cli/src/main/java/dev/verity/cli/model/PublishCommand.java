package dev.verity.cli.model;

import dev.verity.cli.CliException;
import dev.verity.cli.NodeOption;
import dev.verity.cli.key.KeyLoader;
import dev.verity.cli.progress.Progress;
import dev.verity.cli.progress.ProgressBar;
import dev.verity.client.NodeHealth;
import dev.verity.client.PublishResult;
import dev.verity.client.VerityClient;
import dev.verity.core.Digest;
import dev.verity.core.key.SigningKey;
import dev.verity.hub.manifest.ManifestFile;
import dev.verity.hub.manifest.SignedManifest;
import dev.verity.hub.publish.LocalFile;
import dev.verity.hub.publish.ModelHasher;
import dev.verity.hub.publish.ModelPublisher;
import dev.verity.hub.publish.PublishOptions;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code verity model publish}. */
@Command(
    name = "publish",
    description = {
      "Hash every file of a model, sign its manifest with your publisher key, upload the blobs"
          + " the node does not have yet, and publish the manifest.",
      "Prints the manifest digest on stdout; progress goes to stderr."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  verity model publish ./mnist-7.onnx --name mnist --version 7 --license MIT",
      "  verity model publish ./llm-dir --name my-llm --version 2 \\",
      "      --parent sha256:<digest of version 1> --source https://example.org/my-llm"
    })
public final class PublishCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  // Not mixinStandardHelpOptions: its --version would clash with the model's --version.
  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  boolean help;

  @Parameters(index = "0", paramLabel = "PATH", description = "Model file or directory.")
  Path path;

  @Option(names = "--name", required = true, description = "Model name (lower-case, e.g. mnist).")
  String name;

  @Option(names = "--version", required = true, description = "Version, e.g. 7 or 1.2.0.")
  String version;

  @Option(names = "--license", description = "License, e.g. MIT or Apache-2.0.")
  String license;

  @Option(names = "--description", description = "One-line description.")
  String description;

  @Option(
      names = "--parent",
      paramLabel = "MANIFEST_DIGEST",
      description = "Manifest digest of the model this one derives from (lineage).")
  String parent;

  @Option(names = "--source", paramLabel = "URL", description = "Where the model comes from.")
  String source;

  @Option(
      names = "--key",
      paramLabel = "FILE",
      description = "Publisher private key (default: ~/.verity/keys/publisher.key).")
  Path key;

  @CommandLine.Mixin NodeOption node;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!Files.exists(path)) {
      throw new CliException("model path " + path + " does not exist");
    }
    PublishOptions opts = PublishOptions.none();
    if (license != null) {
      opts = opts.withLicense(license);
    }
    if (description != null) {
      opts = opts.withDescription(description);
    }
    if (source != null) {
      opts = opts.withSource(source);
    }
    if (parent != null) {
      try {
        opts = opts.withParent(Digest.parse(parent));
      } catch (IllegalArgumentException e) {
        throw new CliException("--parent: " + e.getMessage());
      }
    }
    SigningKey signingKey = KeyLoader.load(key);
    try (VerityClient client = node.connect()) {
      Result r = publish(client, path, name, version, opts, signingKey, Progress.detect(err), err);
      out.println(r.published().digest());
      out.flush();
    }
    return 0;
  }

  /** What one publish did. */
  public record Result(
      SignedManifest manifest, PublishResult published, int uploaded, int alreadyOnNode) {}

  /**
   * Publishes a model: checks the node is reachable, hashes and signs, uploads missing blobs, then
   * publishes. Shared with {@code verity demo}.
   */
  public static Result publish(
      VerityClient client,
      Path path,
      String name,
      String version,
      PublishOptions opts,
      SigningKey key,
      Progress progress,
      PrintWriter err)
      throws Exception {
    NodeHealth health = client.health();
    SignedManifest signed;
    try (ProgressBar bar = progress.bar("hashing " + path.getFileName())) {
      signed =
          ModelPublisher.createManifest(path, name, version, opts.withProgress(bar::update), key);
    }
    Map<String, LocalFile> local =
        ModelHasher.listFiles(path).stream()
            .collect(Collectors.toMap(LocalFile::path, Function.identity()));
    List<ManifestFile> files = signed.manifest().files();
    int uploaded = 0;
    int present = 0;
    Set<Digest> seen = new HashSet<>();
    for (ManifestFile f : files) {
      if (!seen.add(f.digest())) {
        continue;
      }
      OptionalLong have = client.blobSize(f.digest());
      if (have.isPresent()) {
        present++;
        continue;
      }
      if (f.size() > health.maxUploadBytes()) {
        throw new CliException(
            "file '"
                + f.path()
                + "' is "
                + f.size()
                + " bytes; the node at "
                + client.url()
                + " accepts blobs of at most "
                + health.maxUploadBytes()
                + " bytes");
      }
      LocalFile lf = local.get(f.path());
      if (lf == null) {
        throw new CliException("file '" + f.path() + "' disappeared from " + path);
      }
      try (ProgressBar bar = progress.bar("uploading " + f.path())) {
        client.uploadBlob(f.digest(), lf.file(), bar::update);
      }
      uploaded++;
    }
    PublishResult result = client.publish(signed);
    err.printf(
        "%s %s@%s: %d file(s), %s (uploaded %d blob(s), %d already on the node)%n",
        result.created() ? "published" : "already published",
        name,
        version,
        files.size(),
        ProgressBar.human(signed.manifest().totalSize()),
        uploaded,
        present);
    err.flush();
    return new Result(signed, result, uploaded, present);
  }
}
