package dev.verity.node.http;

/**
 * A feature's endpoints. The node registers each module's routes on one router; later features
 * (inference, receipts, the OpenAI-compatible API) plug in the same way.
 */
@FunctionalInterface
public interface ApiModule {
  void register(Router router);
}
