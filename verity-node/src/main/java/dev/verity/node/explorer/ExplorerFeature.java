package dev.verity.node.explorer;

import dev.verity.node.NodeFeature;
import dev.verity.node.NodeServices;
import dev.verity.node.http.ApiModule;
import java.util.List;

/**
 * The explorer: static web pages served by the node at {@code /explorer/}. The pages read only the
 * node's public HTTP API, so the feature needs none of the node's services.
 */
public final class ExplorerFeature implements NodeFeature {
  private final ExplorerFiles files;

  private ExplorerFeature(ExplorerFiles files) {
    this.files = files;
  }

  /** The explorer as shipped in the node's resources. */
  public static ExplorerFeature defaults() {
    return new ExplorerFeature(ExplorerFiles.fromClasspath(ExplorerFiles.RESOURCE_DIR));
  }

  @Override
  public List<ApiModule> start(NodeServices services) {
    return List.of(new ExplorerApi(files));
  }
}
