package dev.verity.node.audit;

import dev.verity.engine.InferenceResult;
import dev.verity.engine.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The node's fault-injection switch for adversarial tests. Off unless the system property {@value
 * #PROPERTY} (or the environment variable {@value #ENV}) names a strategy; then every strict-engine
 * run with a trace is tampered with before its receipt is drafted, and the node warns loudly. Runs
 * without a trace (ORT, numeric mode tolerance) are tampered with by the output strategies only:
 * {@code output-noise} nudges one element by one ulp, {@code wrong-output}, {@code
 * silent-in-dispute} and {@code colluding-auditor} replace the answer; the others leave them alone.
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

  /** The run as the cheat reports it. */
  public InferenceResult apply(InferenceResult honest) {
    if (honest.trace().isEmpty()) {
      return switch (injector.strategy()) {
        case OUTPUT_NOISE ->
            new InferenceResult(tamperFirst(honest.outputs(), true), Optional.empty());
        case WRONG_OUTPUT, SILENT_IN_DISPUTE, COLLUDING_AUDITOR ->
            new InferenceResult(tamperFirst(honest.outputs(), false), Optional.empty());
        default -> honest;
      };
    }
    return FaultInjector.asResult(injector.tamper(honest.outputs(), honest.trace().get()));
  }

  private static Map<String, Tensor> tamperFirst(Map<String, Tensor> outputs, boolean oneUlp) {
    Map<String, Tensor> out = new LinkedHashMap<>(outputs);
    String first = out.keySet().iterator().next();
    out.put(first, FaultInjector.perturb(out.get(first), oneUlp));
    return out;
  }
}
