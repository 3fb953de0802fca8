package dev.verity.node;

import dev.verity.node.http.ApiModule;
import java.io.IOException;
import java.util.List;

/**
 * A pluggable part of the node (for example inference with receipts, or the OpenAI-compatible API):
 * given the node's stores it returns the API modules to serve, and it is closed after the server
 * has drained, before the stores.
 */
public interface NodeFeature extends AutoCloseable {
  List<ApiModule> start(NodeServices services) throws IOException;

  @Override
  default void close() {}

  /** A feature that only adds endpoints and holds no resources. */
  static NodeFeature of(ApiModule... modules) {
    List<ApiModule> list = List.of(modules);
    return services -> list;
  }
}
