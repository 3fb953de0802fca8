package dev.verity.cli;

import dev.verity.client.VerityClient;
import picocli.CommandLine.Option;

/** {@code --node URL}, shared by every command that talks to a node. */
public final class NodeOption {
  @Option(
      names = "--node",
      paramLabel = "URL",
      description = "Node to talk to (default: $VERITY_NODE or http://127.0.0.1:7070).")
  String node;

  public String url() {
    return node != null ? node : Paths.defaultNode();
  }

  public VerityClient connect() {
    return VerityClient.connect(url());
  }
}
