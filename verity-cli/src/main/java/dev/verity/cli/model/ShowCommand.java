package dev.verity.cli.model;

import dev.verity.cli.NodeOption;
import dev.verity.client.VerityClient;
import dev.verity.hub.manifest.ManifestFile;
import dev.verity.hub.manifest.ModelManifest;
import dev.verity.hub.manifest.SignedManifest;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code verity model show}. */
@Command(
    name = "show",
    mixinStandardHelpOptions = true,
    description = {
      "Show a model's signed manifest: files, publisher, lineage.",
      "The manifest's signature is checked; a bad one is an error."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  verity model show mnist          newest version",
      "  verity model show mnist@7",
      "  verity model show sha256:<manifest digest>"
    })
public final class ShowCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "NAME[@VERSION]|DIGEST", description = "The model.")
  String ref;

  @CommandLine.Mixin NodeOption node;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    try (VerityClient client = node.connect()) {
      SignedManifest sm = new ModelRef(ref).resolve(client);
      sm.verify();
      List<SignedManifest> lineage = client.lineage(sm.digest());
      print(out, sm, lineage);
      out.flush();
    }
    return 0;
  }

  static void print(PrintWriter out, SignedManifest sm, List<SignedManifest> lineage) {
    ModelManifest m = sm.manifest();
    out.println("model:       " + m.name() + "@" + m.version());
    out.println("manifest:    " + sm.digest());
    out.println("format:      " + m.format().id());
    out.println("publisher:   " + m.publisher().toText() + " (" + m.publisher().keyId() + ")");
    out.println("signature:   valid");
    out.println("created:     " + m.createdAt());
    if (!m.license().isEmpty()) {
      out.println("license:     " + m.license());
    }
    if (!m.description().isEmpty()) {
      out.println("description: " + m.description());
    }
    if (!m.source().isEmpty()) {
      out.println("source:      " + m.source());
    }
    m.parentDigest().ifPresent(p -> out.println("parent:      " + p));
    out.println("files:");
    for (ManifestFile f : m.files()) {
      out.printf("  %s %12d  %s%n", f.digest(), f.size(), f.path());
    }
    out.println("lineage:");
    String indent = "  ";
    for (SignedManifest a : lineage) {
      out.println(indent + a.manifest().name() + "@" + a.manifest().version() + "  " + a.digest());
      indent += "  ";
    }
    SignedManifest last = lineage.isEmpty() ? sm : lineage.get(lineage.size() - 1);
    last.manifest()
        .parentDigest()
        .ifPresent(p -> out.println("  (parent " + p + " is not on this node)"));
  }
}
