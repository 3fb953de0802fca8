package dev.verity.engine.ort;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.verity.engine.EngineLimits;
import dev.verity.engine.InferenceException;
import dev.verity.engine.InferenceResult;
import dev.verity.engine.LoadedModel;
import dev.verity.engine.RunOptions;
import dev.verity.engine.Tensor;
import dev.verity.engine.TensorSpec;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A model loaded into an ORT session. Concurrent {@link #run} calls share the session safely. */
final class OrtModel implements LoadedModel {
  private static final Logger LOG = LoggerFactory.getLogger(OrtModel.class);

  /** One daemon thread fires deadlines for every model: it only flips ORT's terminate flag. */
  private static final ScheduledExecutorService WATCHDOG =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "verity-ort-deadline");
            t.setDaemon(true);
            return t;
          });

  private final OrtEnvironment env;
  private final OrtSession session;
  private final List<TensorSpec> inputs;
  private final List<TensorSpec> outputs;
  private final Map<String, TensorSpec> inputsByName;
  private final EngineLimits limits;
  // Runs hold the read lock so close() (write lock) never frees the session under a running call.
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private boolean closed;

  OrtModel(
      OrtEnvironment env,
      OrtSession session,
      List<TensorSpec> inputs,
      List<TensorSpec> outputs,
      EngineLimits limits) {
    this.env = env;
    this.session = session;
    this.inputs = inputs;
    this.outputs = outputs;
    this.limits = limits;
    Map<String, TensorSpec> byName = new LinkedHashMap<>();
    inputs.forEach(s -> byName.put(s.name(), s));
    this.inputsByName = byName;
  }

  @Override
  public List<TensorSpec> inputs() {
    return inputs;
  }

  @Override
  public List<TensorSpec> outputs() {
    return outputs;
  }

  @Override
  public InferenceResult run(Map<String, Tensor> given, RunOptions options)
      throws InferenceException {
    Objects.requireNonNull(given, "inputs");
    Objects.requireNonNull(options, "options");
    if (options.commitTrace()) {
      throw new InferenceException(
          "the ort engine cannot commit to a trace: its intermediate bits are not reproducible;"
              + " use the strict engine for runs that need a trace commitment");
    }
    Map<String, OnnxJavaType> carriers = validate(given);
    lifecycle.readLock().lock();
    try {
      if (closed) {
        throw new InferenceException("model is closed");
      }
      return runSession(given, carriers);
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  private InferenceResult runSession(Map<String, Tensor> given, Map<String, OnnxJavaType> carriers)
      throws InferenceException {
    Map<String, OnnxTensor> ortInputs = new LinkedHashMap<>();
    AtomicBoolean timedOut = new AtomicBoolean();
    try (OrtSession.RunOptions ro = new OrtSession.RunOptions()) {
      for (TensorSpec spec : inputs) {
        ortInputs.put(
            spec.name(), OrtTensors.toOrt(env, given.get(spec.name()), carriers.get(spec.name())));
      }
      ScheduledFuture<?> deadline =
          WATCHDOG.schedule(
              () -> {
                timedOut.set(true);
                try {
                  ro.setTerminate(true);
                } catch (OrtException e) {
                  LOG.warn("could not terminate an ORT run past its deadline", e);
                }
              },
              limits.runDeadline().toNanos(),
              TimeUnit.NANOSECONDS);
      try (OrtSession.Result result = session.run(ortInputs, ro)) {
        return new InferenceResult(collectOutputs(result), Optional.empty());
      } finally {
        deadline.cancel(false);
      }
    } catch (OrtException e) {
      if (timedOut.get()) {
        throw new InferenceException(
            "run exceeded the deadline of " + limits.runDeadline() + " and was terminated", e);
      }
      throw new InferenceException("ONNX Runtime failed the run: " + e.getMessage(), e);
    } finally {
      OnnxValue.close(ortInputs);
    }
  }

  private Map<String, Tensor> collectOutputs(OrtSession.Result result) throws InferenceException {
    Map<String, Tensor> out = new LinkedHashMap<>();
    long total = 0;
    for (TensorSpec spec : outputs) {
      OnnxValue value =
          result
              .get(spec.name())
              .orElseThrow(
                  () ->
                      new InferenceException(
                          "ONNX Runtime returned no output '" + spec.name() + "'"));
      if (!(value instanceof OnnxTensor t)) {
        throw new InferenceException(
            "output '" + spec.name() + "' is " + value.getType() + ", not a tensor");
      }
      long bytes = t.getInfo().getNumElements() * spec.type().byteSize();
      total += bytes;
      // ORT allocates outputs itself; the budget is enforced before they are copied to the heap.
      if (bytes > limits.maxTensorBytes() || total > limits.maxTotalBytes()) {
        throw new InferenceException(
            "output '"
                + spec.name()
                + "' of shape "
                + Arrays.toString(t.getInfo().getShape())
                + " is "
                + bytes
                + " bytes, over the memory limits "
                + limits);
      }
      out.put(spec.name(), OrtTensors.fromOrt(t, spec.type()));
    }
    return out;
  }

  /** Checks names, types, ranks, dims and sizes; returns the ORT carrier type per input. */
  private Map<String, OnnxJavaType> validate(Map<String, Tensor> given) throws InferenceException {
    for (String name : given.keySet()) {
      if (!inputsByName.containsKey(name)) {
        throw new InferenceException(
            "unknown input '" + name + "'; the model's inputs are " + inputsByName.keySet());
      }
    }
    Map<String, OnnxJavaType> carriers = new HashMap<>();
    Map<String, Long> symbols = new HashMap<>();
    long total = 0;
    for (TensorSpec spec : inputs) {
      Tensor t = given.get(spec.name());
      if (t == null) {
        throw new InferenceException(
            "missing input '"
                + spec.name()
                + "' ("
                + spec.type()
                + " "
                + spec.dims()
                + "); the model's inputs are "
                + inputsByName.keySet());
      }
      if (t.type() != spec.type()) {
        throw new InferenceException(
            "input '"
                + spec.name()
                + "' has element type "
                + t.type()
                + " but the model declares "
                + spec.type());
      }
      long[] shape = t.shape();
      if (shape.length != spec.dims().size()) {
        throw new InferenceException(
            "input '"
                + spec.name()
                + "' has rank "
                + shape.length
                + " (shape "
                + Arrays.toString(shape)
                + ") but the model declares rank "
                + spec.dims().size()
                + " "
                + spec.dims());
      }
      for (int i = 0; i < shape.length; i++) {
        long declared = spec.dims().get(i);
        if (declared >= 0 && declared != shape[i]) {
          throw new InferenceException(
              "input '"
                  + spec.name()
                  + "' has dimension "
                  + i
                  + " = "
                  + shape[i]
                  + " (shape "
                  + Arrays.toString(shape)
                  + ") but the model declares "
                  + spec.dims());
        }
        String symbol = spec.dimNames().get(i);
        if (declared < 0 && !symbol.isEmpty()) {
          Long seen = symbols.putIfAbsent(symbol, shape[i]);
          if (seen != null && seen != shape[i]) {
            throw new InferenceException(
                "input '"
                    + spec.name()
                    + "' binds dimension '"
                    + symbol
                    + "' to "
                    + shape[i]
                    + " but another input bound it to "
                    + seen);
          }
        }
      }
      long bytes = t.elementCount() * t.type().byteSize();
      total += bytes;
      if (bytes > limits.maxTensorBytes()) {
        throw new InferenceException(
            "input '"
                + spec.name()
                + "' is "
                + bytes
                + " bytes, over the per-tensor limit of "
                + limits.maxTensorBytes());
      }
      if (total > limits.maxTotalBytes()) {
        throw new InferenceException(
            "inputs total " + total + " bytes, over the limit of " + limits.maxTotalBytes());
      }
      OnnxJavaType carrier =
          OrtTensors.javaType(t.type())
              .orElseThrow(
                  () ->
                      new InferenceException(
                          "input '"
                              + spec.name()
                              + "' has element type "
                              + t.type()
                              + ", which ONNX Runtime's Java API cannot pass"));
      carriers.put(spec.name(), carrier);
    }
    return carriers;
  }

  @Override
  public void close() {
    lifecycle.writeLock().lock();
    try {
      if (!closed) {
        closed = true;
        session.close();
      }
    } catch (OrtException e) {
      LOG.warn("closing an ORT session failed", e);
    } finally {
      lifecycle.writeLock().unlock();
    }
  }
}
