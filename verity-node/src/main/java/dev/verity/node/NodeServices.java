package dev.verity.node;

import dev.verity.node.config.NodeConfig;
import dev.verity.node.http.ApiModule;
import java.io.IOException;
import java.util.List;

/** What the node's API modules run on: the model store (and later engines and the log). */
final class NodeServices implements AutoCloseable {
  private final NodeConfig config;

  private NodeServices(NodeConfig config) {
    this.config = config;
  }

  static NodeServices open(NodeConfig config) throws IOException {
    java.nio.file.Files.createDirectories(config.dataDir());
    return new NodeServices(config);
  }

  List<ApiModule> modules() {
    return VerityNode.builtIn(config);
  }

  @Override
  public void close() {}
}
