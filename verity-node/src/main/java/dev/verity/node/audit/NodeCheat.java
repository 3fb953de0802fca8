package dev.verity.node.audit;

import dev.verity.engine.InferenceResult;
import java.util.Optional;

/**
 * The node's fault-injection switch for adversarial tests. Off unless the system property {@value
 * #PROPERTY} (or the environment variable {@value #ENV}) names a strategy; then every strict-engine
 * run with a trace is tampered with before its receipt is drafted, and the node warns loudly.
 */
public final class NodeCheat {
  public static final String PROPERTY = "verity.cheat.strategy";
  public static final String ENV = "VERITY_CHEAT_STRATEGY";

  private final FaultInjector injector;

  private NodeCheat(FaultInjector injector) {
    this.injector = injector;
  }

  /** The configured cheat, if any; a bad name throws naming the valid ones. */
  public static Optional<NodeCheat> configured() {
    String v = System.getProperty(PROPERTY);
    if (v == null || v.isBlank()) {
      v = System.getenv(ENV);
    }
    if (v == null || v.isBlank()) {
      return Optional.empty();
    }
    CheatStrategy s = CheatStrategy.parse(v);
    if (s == CheatStrategy.HONEST) {
      return Optional.empty();
    }
    return Optional.of(new NodeCheat(FaultInjector.outputsOnly(s)));
  }

  public CheatStrategy strategy() {
    return injector.strategy();
  }

  /** The run as the cheat reports it; runs without a trace are left alone. */
  public InferenceResult apply(InferenceResult honest) {
    if (honest.trace().isEmpty()) {
      return honest;
    }
    return FaultInjector.asResult(injector.tamper(honest.outputs(), honest.trace().get()));
  }
}
