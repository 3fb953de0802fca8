package dev.verity.cli.model;

import dev.verity.cli.CliException;
import dev.verity.cli.NodeOption;
import dev.verity.cli.progress.Progress;
import dev.verity.cli.progress.ProgressBar;
import dev.verity.client.VerityClient;
import dev.verity.core.key.VerifyingKey;
import dev.verity.hub.manifest.ManifestFile;
import dev.verity.hub.manifest.SignedManifest;
import dev.verity.hub.publish.ModelVerifier;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code verity model download}. */
@Command(
    name = "download",
    mixinStandardHelpOptions = true,
    description = {
      "Download a model's files into a directory and verify them against its signed manifest.",
      "Interrupted downloads resume (partial files end in .part); a file appears under its"
          + " final name only once its digest matches. The signed manifest is saved next to the"
          + " directory as DIR.manifest.json for offline verification later."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  verity model download mnist@7 --out ./mnist",
      "  verity model download sha256:<digest> --out ./m --publisher ed25519:<base64 key>"
    })
public final class DownloadCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "NAME[@VERSION]|DIGEST", description = "The model.")
  String ref;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Target directory.")
  Path out;

  @Option(
      names = "--publisher",
      paramLabel = "KEY",
      description = "Require this publisher (ed25519:<base64> or a .pub file).")
  String publisher;

  @Option(
      names = "--manifest-out",
      paramLabel = "FILE",
      description = "Where to save the signed manifest (default: DIR.manifest.json).")
  Path manifestOut;

  @CommandLine.Mixin NodeOption node;

  @Override
  public Integer call() throws Exception {
    PrintWriter o = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    VerifyingKey expected = PublisherOption.parse(publisher);
    try (VerityClient client = node.connect()) {
      SignedManifest sm = new ModelRef(ref).resolve(client);
      Path saved = download(client, sm, out, manifestOut, expected, Progress.detect(err));
      o.println(
          "downloaded and verified "
              + sm.manifest().name()
              + "@"
              + sm.manifest().version()
              + " ("
              + sm.digest()
              + ") into "
              + out);
      o.println("manifest saved to " + saved);
      o.flush();
    }
    return 0;
  }

  /** Default place for a downloaded model's manifest: {@code DIR.manifest.json} next to DIR. */
  public static Path defaultManifestFile(Path dir) {
    Path abs = dir.toAbsolutePath().normalize();
    return abs.resolveSibling(abs.getFileName() + ".manifest.json");
  }

  /**
   * Checks the manifest's signature, downloads every file (resuming), verifies the directory
   * offline, and saves the manifest. Shared with {@code verity demo}.
   */
  public static Path download(
      VerityClient client,
      SignedManifest sm,
      Path dir,
      Path manifestFile,
      VerifyingKey expected,
      Progress progress)
      throws Exception {
    if (expected != null) {
      sm.verify(expected);
    } else {
      sm.verify();
    }
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new CliException("--out " + dir + " exists and is not a directory");
    }
    Files.createDirectories(dir);
    for (ManifestFile f : sm.manifest().files()) {
      Path target = f.resolveUnder(dir);
      Files.createDirectories(target.getParent());
      try (ProgressBar bar = progress.bar("downloading " + f.path())) {
        client.downloadBlob(f.digest(), target, bar::update);
      }
    }
    ModelVerifier.verifyDirectory(dir, sm, expected);
    Path mf = manifestFile != null ? manifestFile : defaultManifestFile(dir);
    writeAtomically(mf, sm.toJson());
    return mf;
  }

  static void writeAtomically(Path file, byte[] content) throws Exception {
    Path abs = file.toAbsolutePath();
    Path tmp = abs.resolveSibling("." + abs.getFileName() + ".tmp");
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      ch.write(java.nio.ByteBuffer.wrap(content));
      ch.force(true);
    }
    Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
