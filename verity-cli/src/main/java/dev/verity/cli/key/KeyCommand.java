package dev.verity.cli.key;

import dev.verity.cli.CliException;
import dev.verity.cli.Paths;
import dev.verity.core.key.KeyFiles;
import dev.verity.core.key.SigningKey;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code verity key}: publisher keys. */
@Command(
    name = "key",
    mixinStandardHelpOptions = true,
    description = "Create and show Ed25519 publisher keys.",
    subcommands = {KeyCommand.Generate.class, KeyCommand.Show.class})
public final class KeyCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "generate",
      mixinStandardHelpOptions = true,
      description = {
        "Create a new Ed25519 publisher key in a file readable only by you (mode 0600).",
        "Prints the public key and its key id; the private key is never printed."
      },
      footerHeading = "%nExamples:%n",
      footer = {"  verity key generate", "  verity key generate --out ./ci-publisher.key"})
  public static final class Generate implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--out",
        paramLabel = "FILE",
        description = "Private key file to create (default: ~/.verity/keys/publisher.key).")
    Path out;

    @Override
    public Integer call() throws Exception {
      Path file = (out != null ? out : Paths.defaultKey()).toAbsolutePath();
      Path pub = file.resolveSibling(file.getFileName() + ".pub");
      if (Files.exists(file)) {
        throw new CliException(
            "key file " + file + " already exists; refusing to overwrite it (choose --out FILE)");
      }
      Path dir = file.getParent();
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(
            dir,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      }
      SigningKey key = SigningKey.generate();
      KeyFiles.writePrivate(file, key);
      if (!Files.exists(pub)) {
        KeyFiles.writePublic(pub, key.verifyingKey());
      }
      PrintWriter o = spec.commandLine().getOut();
      o.println("public key: " + key.verifyingKey().toText());
      o.println("key id:     " + key.verifyingKey().keyId());
      o.println("key file:   " + file + " (mode 0600; keep it secret)");
      o.println("public key file: " + pub);
      o.flush();
      return 0;
    }
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Print the public key and key id of a private key file (never the secret).",
      footerHeading = "%nExamples:%n",
      footer = {"  verity key show", "  verity key show --key ./ci-publisher.key"})
  public static final class Show implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--key",
        paramLabel = "FILE",
        description = "Private key file (default: ~/.verity/keys/publisher.key).")
    Path key;

    @Override
    public Integer call() throws Exception {
      SigningKey k = KeyLoader.load(key);
      PrintWriter o = spec.commandLine().getOut();
      o.println("public key: " + k.verifyingKey().toText());
      o.println("key id:     " + k.verifyingKey().keyId());
      o.flush();
      return 0;
    }
  }
}
