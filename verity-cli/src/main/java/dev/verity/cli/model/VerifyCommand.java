package dev.verity.cli.model;

import dev.verity.cli.CliException;
import dev.verity.cli.progress.Progress;
import dev.verity.cli.progress.ProgressBar;
import dev.verity.core.key.VerifyingKey;
import dev.verity.hub.manifest.ModelManifest;
import dev.verity.hub.manifest.SignedManifest;
import dev.verity.hub.publish.ModelVerifier;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code verity model verify}: offline, no node needed. */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Check model files against a signed manifest, offline: the signature (by the manifest's"
          + " publisher, and by --publisher if given) and every file's presence, size and"
          + " SHA-256. Fails naming the first bad file."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  verity model verify ./mnist --manifest ./mnist.manifest.json",
      "  verity model verify ./mnist --manifest ./mnist.manifest.json \\",
      "      --publisher ed25519:<base64 key>"
    })
public final class VerifyCommand implements Callable<Integer> {
  static final long MAX_MANIFEST_BYTES = 16L << 20;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DIR", description = "Model directory (or single file).")
  Path dir;

  @Option(
      names = "--manifest",
      required = true,
      paramLabel = "FILE",
      description = "Signed manifest (DSSE envelope JSON), e.g. DIR.manifest.json.")
  Path manifest;

  @Option(
      names = "--publisher",
      paramLabel = "KEY",
      description = "Require this publisher (ed25519:<base64> or a .pub file).")
  String publisher;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    VerifyingKey expected = PublisherOption.parse(publisher);
    SignedManifest sm = readManifest(manifest);
    if (!Files.exists(dir)) {
      throw new CliException("model directory " + dir + " does not exist");
    }
    try (ProgressBar bar =
        Progress.detect(spec.commandLine().getErr()).bar("verifying " + dir.getFileName())) {
      ModelVerifier.verifyDirectory(dir, sm, expected, bar::update);
    }
    ModelManifest m = sm.manifest();
    out.println(
        "verified "
            + m.name()
            + "@"
            + m.version()
            + " ("
            + sm.digest()
            + "): "
            + m.files().size()
            + " file(s), signed by "
            + m.publisher().toText());
    out.flush();
    return 0;
  }

  static SignedManifest readManifest(Path file) throws Exception {
    if (!Files.isRegularFile(file)) {
      throw new CliException("manifest file " + file + " does not exist");
    }
    if (Files.size(file) > MAX_MANIFEST_BYTES) {
      throw new CliException("manifest file " + file + " is too large to be a manifest");
    }
    try {
      return SignedManifest.parse(Files.readAllBytes(file));
    } catch (dev.verity.core.FormatException e) {
      throw new CliException("manifest file " + file + ": " + e.getMessage());
    }
  }
}
