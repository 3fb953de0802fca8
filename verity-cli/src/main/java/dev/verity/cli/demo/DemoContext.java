package dev.verity.cli.demo;

import dev.verity.cli.progress.Progress;
import dev.verity.client.VerityClient;
import dev.verity.core.key.SigningKey;
import dev.verity.hub.manifest.SignedManifest;
import dev.verity.node.VerityNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the demo's steps share: output, paths, key, the running node, and what was published. */
public final class DemoContext {
  final PrintWriter out;
  final PrintWriter err;
  final Progress progress;
  final Path shared;
  final Path dataDir;
  final Path workDir;
  final SigningKey key;
  VerityNode node;
  VerityClient client;
  final Map<String, SignedManifest> published = new LinkedHashMap<>();
  Path downloadedDir;
  Path downloadedManifest;

  DemoContext(
      PrintWriter out,
      PrintWriter err,
      Progress progress,
      Path shared,
      Path dataDir,
      Path workDir,
      SigningKey key) {
    this.out = out;
    this.err = err;
    this.progress = progress;
    this.shared = shared;
    this.dataDir = dataDir;
    this.workDir = workDir;
    this.key = key;
  }

  public VerityClient client() {
    return client;
  }

  public VerityNode node() {
    return node;
  }

  /** Published manifests by {@code name@version}, in publish order. */
  public Map<String, SignedManifest> published() {
    return published;
  }
}
