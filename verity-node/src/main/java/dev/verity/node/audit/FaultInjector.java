package dev.verity.node.audit;

import dev.verity.audit.bisect.BisectionParty;
import dev.verity.audit.bisect.TraceParty;
import dev.verity.audit.strict.StrictParties;
import dev.verity.core.Digest;
import dev.verity.engine.EngineLimits;
import dev.verity.engine.InferenceException;
import dev.verity.engine.InferenceResult;
import dev.verity.engine.ModelLoadException;
import dev.verity.engine.RunOptions;
import dev.verity.engine.Tensor;
import dev.verity.engine.TensorEncoding;
import dev.verity.engine.TraceCommitment;
import dev.verity.engine.TraceOpening;
import dev.verity.engine.strict.StrictEngine;
import dev.verity.engine.strict.StrictModel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A strict-engine provider that cheats by one {@link CheatStrategy}. It exists to test that audits
 * and disputes catch each kind of fraud; it is only ever built when the configuration names a
 * strategy explicitly, and it says so loudly.
 */
public final class FaultInjector implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FaultInjector.class);

  /**
   * What the provider serves and commits to.
   *
   * @param outputs the outputs it returns
   * @param outputDigest the digest its receipt signs
   * @param committed the trace it commits to (root and leaves) and plays in a dispute
   * @param cheated whether this answer departs from an honest run
   */
  public record Served(
      Map<String, Tensor> outputs,
      Digest outputDigest,
      BisectionParty<TraceOpening> committed,
      boolean cheated) {
    public Served {
      outputs = Map.copyOf(outputs);
      Objects.requireNonNull(outputDigest, "outputDigest");
      Objects.requireNonNull(committed, "committed");
    }
  }

  private final CheatStrategy strategy;
  private final StrictModel model;
  private Served replay;

  public FaultInjector(byte[] honestModel, CheatStrategy strategy, EngineLimits limits)
      throws ModelLoadException {
    this.strategy = Objects.requireNonNull(strategy, "strategy");
    warn(strategy);
    byte[] bytes = substitute(honestModel, strategy);
    this.model = new StrictEngine().load(bytes, limits);
  }

  /** Tampers with runs made elsewhere (the node's own engine): output and trace strategies only. */
  private FaultInjector(CheatStrategy strategy) {
    this.strategy = strategy;
    this.model = null;
  }

  /**
   * The model a provider cheating by {@code strategy} runs: the honest bytes, or for {@code
   * quantized-model} and {@code skipped-layer} the substitute ({@link OnnxRewrite}).
   */
  public static byte[] substitute(byte[] honestModel, CheatStrategy strategy) {
    return switch (strategy) {
      case QUANTIZED_MODEL -> OnnxRewrite.quantizeToBfloat16(honestModel);
      case SKIPPED_LAYER -> OnnxRewrite.skipFirst(honestModel, "Relu");
      default -> honestModel;
    };
  }

  /**
   * An injector for {@link #tamper} over runs made elsewhere (a node's own engine). For the
   * model-substituting strategies those runs must be of {@link #substitute}'s model; their answers
   * then pass through unchanged.
   */
  static FaultInjector forNode(CheatStrategy strategy) {
    warn(strategy);
    return new FaultInjector(strategy);
  }

  private static void warn(CheatStrategy strategy) {
    if (strategy != CheatStrategy.HONEST) {
      LOG.warn(
          "!!! FAULT INJECTION ON: this node cheats by '{}'. Test use only; it will be slashed. !!!",
          strategy.id());
    }
  }

  public CheatStrategy strategy() {
    return strategy;
  }

  public StrictModel model() {
    return model;
  }

  /** Serves one request by the strategy. */
  public Served serve(Map<String, Tensor> inputs) throws InferenceException {
    if (model == null) {
      throw new IllegalStateException("this injector only tampers with runs made elsewhere");
    }
    InferenceResult r = model.run(inputs, RunOptions.WITH_TRACE);
    return tamper(r.outputs(), r.trace().orElseThrow());
  }

  /**
   * Applies the strategy to an honest run's outputs and trace (for the model-substituting
   * strategies the run must come from this injector's model).
   */
  public synchronized Served tamper(Map<String, Tensor> outputs, TraceCommitment trace) {
    TraceParty<TraceOpening> honest = StrictParties.honest(trace);
    return switch (strategy) {
      case HONEST, LYING_AUDITOR ->
          new Served(outputs, TensorEncoding.digest(outputs), honest, false);
      case QUANTIZED_MODEL, SKIPPED_LAYER ->
          // Honest to the wrong model: its trace is its own; the answer differs from the real one.
          new Served(outputs, TensorEncoding.digest(outputs), honest, true);
      case WRONG_OUTPUT, COLLUDING_AUDITOR -> lieAtOutput(trace, outputs, false, false);
      case SILENT_IN_DISPUTE -> lieAtOutput(trace, outputs, false, true);
      case OUTPUT_NOISE -> lieAtOutput(trace, outputs, true, false);
      case LYING_TRACE -> {
        long j = trace.leafCount() / 2;
        Tensor t = trace.open(j).tensor();
        yield new Served(
            outputs,
            TensorEncoding.digest(outputs),
            StrictParties.lyingAbout(trace, j, perturb(t, true)),
            true);
      }
      case REPLAYED_OUTPUT -> {
        if (replay == null) {
          replay = new Served(outputs, TensorEncoding.digest(outputs), honest, false);
          yield replay;
        }
        boolean same = TensorEncoding.digest(outputs).equals(replay.outputDigest());
        yield new Served(replay.outputs(), replay.outputDigest(), replay.committed(), !same);
      }
    };
  }

  /** Replaces the final tensor (the model output) in outputs and trace alike. */
  private static Served lieAtOutput(
      TraceCommitment trace, Map<String, Tensor> outputs, boolean oneUlp, boolean silent) {
    long last = trace.leafCount() - 1;
    TraceOpening o = trace.open(last);
    Tensor lie = perturb(o.tensor(), oneUlp);
    Map<String, Tensor> out = new LinkedHashMap<>(outputs);
    if (out.containsKey(o.outputName())) {
      out.put(o.outputName(), lie);
    } else {
      String first = out.keySet().iterator().next();
      out.put(first, perturb(out.get(first), oneUlp));
    }
    BisectionParty<TraceOpening> party = StrictParties.lyingAbout(trace, last, lie);
    return new Served(
        out,
        TensorEncoding.digest(out),
        silent ? BisectionParty.silent(party.root(), party.leafCount()) : party,
        true);
  }

  /** One ulp up on element 0, or every element to −x − 1 (a different answer). */
  static Tensor perturb(Tensor t, boolean oneUlp) {
    byte[] d = t.data();
    ByteBuffer b = ByteBuffer.wrap(d).order(ByteOrder.LITTLE_ENDIAN);
    if (t.type() != dev.verity.engine.DataType.FLOAT32) {
      d[0] ^= 1;
      return Tensor.ofBytes(t.type(), t.shape(), d);
    }
    if (oneUlp) {
      b.putFloat(0, Math.nextUp(b.getFloat(0)));
    } else {
      for (int i = 0; i + 4 <= d.length; i += 4) {
        b.putFloat(i, -b.getFloat(i) - 1f);
      }
    }
    return Tensor.ofBytes(t.type(), t.shape(), b.array());
  }

  /** A served answer as an engine result: its outputs and the trace it commits to. */
  public static InferenceResult asResult(Served s) {
    BisectionParty<TraceOpening> p = s.committed();
    TraceCommitment t =
        new TraceCommitment() {
          @Override
          public Digest root() {
            return p.root();
          }

          @Override
          public long leafCount() {
            return p.leafCount();
          }

          @Override
          public TraceOpening open(long leafIndex) {
            return p.open(leafIndex)
                .orElseThrow(
                    () -> new UnsupportedOperationException("this party withholds leaves"));
          }
        };
    return new InferenceResult(s.outputs(), Optional.of(t));
  }

  @Override
  public void close() {
    if (model != null) {
      model.close();
    }
  }
}
