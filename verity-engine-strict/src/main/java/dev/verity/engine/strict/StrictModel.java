package dev.verity.engine.strict;

import dev.verity.core.Digest;
import dev.verity.engine.DataType;
import dev.verity.engine.EngineInfo;
import dev.verity.engine.EngineLimits;
import dev.verity.engine.InferenceException;
import dev.verity.engine.InferenceResult;
import dev.verity.engine.LoadedModel;
import dev.verity.engine.ModelLoadException;
import dev.verity.engine.RunOptions;
import dev.verity.engine.Tensor;
import dev.verity.engine.TensorSpec;
import dev.verity.engine.strict.onnx.OnnxModel;
import dev.verity.engine.strict.onnx.OnnxParser;
import dev.verity.engine.strict.onnx.ProtoException;
import dev.verity.engine.strict.ops.Epilogue;
import dev.verity.engine.strict.ops.ExecContext;
import dev.verity.engine.strict.ops.Kernel;
import dev.verity.engine.strict.ops.Nd;
import dev.verity.engine.strict.ops.OpFactory;
import dev.verity.engine.strict.ops.RunFailure;
import dev.verity.engine.strict.trace.StrictTrace;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ForkJoinPool;

/**
 * A compiled ONNX graph: nodes in a fixed topological order, kernels with resolved attributes,
 * constant sub-graphs folded at load, and value lifetimes for freeing intermediates.
 */
public final class StrictModel implements LoadedModel {
  /** Highest default-domain opset this engine implements. */
  public static final long MAX_OPSET = 21;

  private final EngineLimits limits;
  private final StrictConfig config;
  private final EngineInfo info;
  private final ForkJoinPool pool;
  private final List<TensorSpec> inputs;
  private final List<TensorSpec> outputs;
  private final int[] inputIds;
  private final int[] outputIds;
  private final String[] valueNames;
  private final Nd[] constants;
  private final Step[] steps;

  /** Per step, the values it reads last; set after constant folding (constants are never freed). */
  private int[][] freeAfter;

  private long constantBytes;

  /** A Conv whose next {@code absorbed} steps run inside its tiles; output lands in outValue. */
  private record Fusion(Epilogue epilogue, int absorbed, int outValue, String label) {}

  private Fusion[] fusions;

  /**
   * Leaf hashes of the folded (constant) steps' outputs, by step; computed on the first traced run.
   * A folded output is the same leaf at the same position in every run, so its hash is reused.
   */
  private volatile Digest[][] foldedLeafHashes;

  private static final java.lang.management.ThreadMXBean CPU =
      java.lang.management.ManagementFactory.getThreadMXBean();

  /**
   * CPU nanoseconds of the calling thread per operator type (meaningful with one thread), collected
   * when the system property is set (diagnostics).
   */
  static final java.util.concurrent.ConcurrentHashMap<String, Long> PROFILE =
      Boolean.getBoolean("verity.strict.profile")
          ? new java.util.concurrent.ConcurrentHashMap<>()
          : null;

  static final boolean PROFILE_SHAPES = Boolean.getBoolean("verity.strict.profile.shapes");

  /** The per-operator time totals, when profiling is on. */
  public static Map<String, Long> profile() {
    return PROFILE == null ? Map.of() : new java.util.TreeMap<>(PROFILE);
  }

  /** One node in execution order. {@code folded} holds its outputs when computed at load. */
  private record Step(
      int index,
      String name,
      String opType,
      Kernel kernel,
      int[] in,
      int[] out,
      String[] outNames,
      Nd[] folded) {}

  private StrictModel(
      EngineLimits limits,
      StrictConfig config,
      EngineInfo info,
      List<TensorSpec> inputs,
      List<TensorSpec> outputs,
      int[] inputIds,
      int[] outputIds,
      String[] valueNames,
      Nd[] constants,
      Step[] steps) {
    this.limits = limits;
    this.config = config;
    this.info = info;
    this.pool = config.threads() > 1 ? new ForkJoinPool(config.threads()) : null;
    this.inputs = List.copyOf(inputs);
    this.outputs = List.copyOf(outputs);
    this.inputIds = inputIds;
    this.outputIds = outputIds;
    this.valueNames = valueNames;
    this.constants = constants;
    this.steps = steps;
  }

  static StrictModel compile(
      byte[] bytes, EngineLimits limits, StrictConfig config, EngineInfo info)
      throws ModelLoadException {
    OnnxModel model;
    try {
      model = OnnxParser.parse(bytes, limits.maxTensorBytes(), limits.maxTotalBytes());
    } catch (ProtoException e) {
      throw new ModelLoadException("malformed or unsupported ONNX model: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new ModelLoadException("malformed ONNX model: " + e, e);
    }
    long opset = model.defaultOpset();
    if (opset > MAX_OPSET) {
      throw new ModelLoadException(
          "model imports ONNX opset "
              + opset
              + "; the strict engine implements opsets up to "
              + MAX_OPSET);
    }
    OnnxModel.Graph g = model.graph();
    Map<String, Integer> ids = new LinkedHashMap<>();
    List<String> names = new ArrayList<>();
    java.util.function.Function<String, Integer> id =
        n ->
            ids.computeIfAbsent(
                n,
                k -> {
                  names.add(k);
                  return names.size() - 1;
                });
    // Values that exist before any node runs.
    Map<String, Nd> inits = g.initializers();
    List<TensorSpec> inSpecs = new ArrayList<>();
    List<Integer> inIds = new ArrayList<>();
    for (OnnxModel.ValueInfo v : g.inputs()) {
      if (inits.containsKey(v.name())) {
        continue;
      }
      inSpecs.add(spec(v));
      inIds.add(id.apply(v.name()));
    }
    for (String n : inits.keySet()) {
      id.apply(n);
    }
    // Producer of every value, and load-time checks of node structure.
    List<OnnxModel.Node> nodes = g.nodes();
    Map<String, Integer> producer = new HashMap<>();
    for (int i = 0; i < nodes.size(); i++) {
      OnnxModel.Node n = nodes.get(i);
      for (String o : n.outputs()) {
        if (o.isEmpty()) {
          continue;
        }
        if (producer.containsKey(o)
            || inits.containsKey(o)
            || ids.containsKey(o) && inIds.contains(ids.get(o))) {
          throw new ModelLoadException(
              "value '"
                  + o
                  + "' is produced twice (again by node '"
                  + n.name()
                  + "' ("
                  + n.opType()
                  + "))");
        }
        producer.put(o, i);
      }
    }
    // Kahn's algorithm, taking ready nodes in file order so the order is fixed by the file.
    int[] pending = new int[nodes.size()];
    List<List<Integer>> consumers = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      consumers.add(new ArrayList<>());
    }
    for (int i = 0; i < nodes.size(); i++) {
      OnnxModel.Node n = nodes.get(i);
      for (String in : n.inputs()) {
        if (in.isEmpty() || inits.containsKey(in) || isGraphInput(g, in)) {
          continue;
        }
        Integer p = producer.get(in);
        if (p == null) {
          throw new ModelLoadException(
              "node '"
                  + n.name()
                  + "' ("
                  + n.opType()
                  + ") reads value '"
                  + in
                  + "' that nothing produces");
        }
        pending[i]++;
        consumers.get(p).add(i);
      }
    }
    java.util.PriorityQueue<Integer> ready = new java.util.PriorityQueue<>();
    for (int i = 0; i < nodes.size(); i++) {
      if (pending[i] == 0) {
        ready.add(i);
      }
    }
    List<Integer> order = new ArrayList<>();
    while (!ready.isEmpty()) {
      int i = ready.poll();
      order.add(i);
      for (int c : consumers.get(i)) {
        if (--pending[c] == 0) {
          ready.add(c);
        }
      }
    }
    if (order.size() != nodes.size()) {
      List<String> stuck = new ArrayList<>();
      for (int i = 0; i < nodes.size() && stuck.size() < 5; i++) {
        if (pending[i] > 0) {
          stuck.add("'" + nodes.get(i).name() + "' (" + nodes.get(i).opType() + ")");
        }
      }
      throw new ModelLoadException("graph has a cycle through nodes " + stuck);
    }
    // Compile kernels.
    List<Step> steps = new ArrayList<>();
    for (int k = 0; k < order.size(); k++) {
      OnnxModel.Node n = nodes.get(order.get(k));
      Kernel kernel;
      try {
        kernel = OpFactory.create(n, opset);
      } catch (OpFactory.UnsupportedOp e) {
        throw new ModelLoadException(e.getMessage());
      } catch (RuntimeException e) {
        throw new ModelLoadException(
            "node '"
                + n.name()
                + "' ("
                + n.opType()
                + ") has invalid attributes: "
                + e.getMessage(),
            e);
      }
      int required = OpFactory.requiredInputs(n.opType(), opset);
      for (int j = 0; j < required; j++) {
        if (j >= n.inputs().size() || n.inputs().get(j).isEmpty()) {
          throw new ModelLoadException(
              "node '" + n.name() + "' (" + n.opType() + ") is missing required input #" + j);
        }
      }
      int[] in = new int[n.inputs().size()];
      for (int j = 0; j < in.length; j++) {
        in[j] = n.inputs().get(j).isEmpty() ? -1 : id.apply(n.inputs().get(j));
      }
      int[] out = new int[n.outputs().size()];
      for (int j = 0; j < out.length; j++) {
        out[j] = n.outputs().get(j).isEmpty() ? -1 : id.apply(n.outputs().get(j));
      }
      steps.add(
          new Step(
              k, n.name(), n.opType(), kernel, in, out, n.outputs().toArray(String[]::new), null));
    }
    List<TensorSpec> outSpecs = new ArrayList<>();
    int[] outIds = new int[g.outputs().size()];
    for (int j = 0; j < outIds.length; j++) {
      OnnxModel.ValueInfo v = g.outputs().get(j);
      if (!ids.containsKey(v.name())) {
        throw new ModelLoadException("graph output '" + v.name() + "' is never produced");
      }
      outIds[j] = ids.get(v.name());
      outSpecs.add(spec(v));
    }
    Nd[] constants = new Nd[names.size()];
    for (Map.Entry<String, Nd> e : inits.entrySet()) {
      constants[ids.get(e.getKey())] = e.getValue();
    }
    for (TensorSpec s : inSpecs) {
      if (s.type() == null) {
        throw new ModelLoadException("graph input '" + s.name() + "' is not a tensor");
      }
    }
    Step[] stepArr = steps.toArray(Step[]::new);
    StrictModel m =
        new StrictModel(
            limits,
            config,
            info,
            inSpecs,
            outSpecs,
            inIds.stream().mapToInt(Integer::intValue).toArray(),
            outIds,
            names.toArray(String[]::new),
            constants,
            stepArr);
    m.foldConstants();
    // After folding: a folded output is a model constant that every run reads, so freeing it
    // (and recycling its array into a later operator's output) would corrupt the model.
    m.freeAfter = lifetimes(stepArr, names.size(), outIds, m.constants);
    List<OnnxModel.Node> ordered = new ArrayList<>();
    for (int i : order) {
      ordered.add(nodes.get(i));
    }
    m.planFusions(ordered);
    for (Nd c : m.constants) {
      if (c != null) {
        m.constantBytes += c.bytes();
      }
    }
    return m;
  }

  private static boolean isGraphInput(OnnxModel.Graph g, String name) {
    for (OnnxModel.ValueInfo v : g.inputs()) {
      if (v.name().equals(name)) {
        return true;
      }
    }
    return false;
  }

  private static TensorSpec spec(OnnxModel.ValueInfo v) throws ModelLoadException {
    DataType t;
    try {
      t = DataType.fromOnnxCode(v.elemType());
    } catch (IllegalArgumentException e) {
      throw new ModelLoadException(
          "value '" + v.name() + "' has unsupported element type " + v.elemType());
    }
    return new TensorSpec(v.name(), t, v.dims(), v.dimNames());
  }

  /** For each step, the value ids whose last reader it is (graph outputs are never freed). */
  private static int[][] lifetimes(Step[] steps, int nValues, int[] outIds, Nd[] constants) {
    int[] last = new int[nValues];
    Arrays.fill(last, -1);
    for (Step s : steps) {
      for (int v : s.in) {
        if (v >= 0) {
          last[v] = s.index;
        }
      }
    }
    for (int o : outIds) {
      last[o] = Integer.MAX_VALUE;
    }
    List<List<Integer>> free = new ArrayList<>();
    for (int i = 0; i < steps.length; i++) {
      free.add(new ArrayList<>());
    }
    for (int v = 0; v < nValues; v++) {
      if (last[v] >= 0 && last[v] < steps.length && constants[v] == null) {
        free.get(last[v]).add(v);
      }
    }
    int[][] out = new int[steps.length][];
    for (int i = 0; i < steps.length; i++) {
      out[i] = free.get(i).stream().mapToInt(Integer::intValue).toArray();
    }
    return out;
  }

  /**
   * Evaluates, once at load, every node whose inputs are all constants (initializers or earlier
   * folded outputs), with the same kernels as a run, so folding never changes bits.
   */
  private void foldConstants() throws ModelLoadException {
    boolean[] isConst = new boolean[constants.length];
    for (int v = 0; v < constants.length; v++) {
      isConst[v] = constants[v] != null;
    }
    ExecContext ctx = newContext();
    long budget = 0;
    for (Nd c : constants) {
      if (c != null) {
        budget += c.bytes();
      }
    }
    ctx.addLive(budget);
    for (int i = 0; i < steps.length; i++) {
      Step s = steps[i];
      boolean all = s.in.length > 0 || "Constant".equals(s.opType);
      for (int v : s.in) {
        if (v >= 0 && !isConst[v]) {
          all = false;
        }
      }
      if (!all || "Dropout".equals(s.opType)) {
        continue;
      }
      Nd[] in = new Nd[s.in.length];
      for (int j = 0; j < in.length; j++) {
        in[j] = s.in[j] < 0 ? null : constants[s.in[j]];
      }
      Nd[] out;
      try {
        ctx.at(label(s));
        out = s.kernel.run(in, ctx);
      } catch (RuntimeException e) {
        throw new ModelLoadException(
            "constant node " + label(s) + " failed at load: " + e.getMessage(), e);
      }
      for (int j = 0; j < s.out.length && j < out.length; j++) {
        if (s.out[j] >= 0 && out[j] != null) {
          constants[s.out[j]] = out[j];
          isConst[s.out[j]] = true;
          ctx.addLive(out[j].bytes());
        }
      }
      steps[i] = new Step(s.index, s.name, s.opType, s.kernel, s.in, s.out, s.outNames, out);
    }
  }

  /**
   * Finds Conv → BatchNormalization (constant parameters) → Relu and Conv → Relu chains whose
   * intermediate values have no other reader and are not graph outputs.
   */
  private void planFusions(List<OnnxModel.Node> ordered) {
    fusions = new Fusion[steps.length];
    int[] readers = new int[valueNames.length];
    for (Step st : steps) {
      for (int v : st.in) {
        if (v >= 0) {
          readers[v]++;
        }
      }
    }
    for (int o : outputIds) {
      readers[o] += 2;
    }
    for (int i = 0; i < steps.length; i++) {
      Step c = steps[i];
      if (!"Conv".equals(c.opType)
          || c.folded != null
          || !(c.kernel instanceof OpFactory.ConvKernel)
          || c.out.length != 1
          || c.out[0] < 0) {
        continue;
      }
      int value = c.out[0];
      int absorbed = 0;
      float[] scale = null;
      float[] shift = null;
      boolean relu = false;
      String label = "Conv";
      if (i + 1 < steps.length && readers[value] == 1) {
        Step n = steps[i + 1];
        if ("BatchNormalization".equals(n.opType) && bnFusable(n, value)) {
          OnnxModel.Node node = ordered.get(i + 1);
          float eps =
              node.attributes().containsKey("epsilon") ? node.attributes().get("epsilon").f : 1e-5f;
          Epilogue bn =
              Epilogue.batchNorm(
                  constants[n.in[1]],
                  constants[n.in[2]],
                  constants[n.in[3]],
                  constants[n.in[4]],
                  eps,
                  false);
          scale = bn.scale();
          shift = bn.shift();
          value = n.out[0];
          absorbed = 1;
          label += "+BatchNormalization";
        }
      }
      if (i + absorbed + 1 < steps.length && readers[value] == 1) {
        Step n = steps[i + absorbed + 1];
        if ("Relu".equals(n.opType)
            && n.in.length == 1
            && n.in[0] == value
            && n.out.length == 1
            && n.out[0] >= 0) {
          value = n.out[0];
          absorbed++;
          relu = true;
          label += "+Relu";
        }
      }
      if (absorbed > 0) {
        fusions[i] = new Fusion(new Epilogue(scale, shift, relu), absorbed, value, label);
      }
    }
  }

  private boolean bnFusable(Step n, int input) {
    if (n.in.length != 5 || n.in[0] != input || n.out.length != 1 || n.out[0] < 0) {
      return false;
    }
    for (int j = 1; j < 5; j++) {
      Nd p = n.in[j] < 0 ? null : constants[n.in[j]];
      if (p == null || p.type != DataType.FLOAT32) {
        return false;
      }
    }
    int c = constants[n.in[1]].size;
    for (int j = 2; j < 5; j++) {
      if (constants[n.in[j]].size != c) {
        return false;
      }
    }
    return true;
  }

  private ExecContext newContext() {
    return new ExecContext(
        limits,
        System.nanoTime() + limits.runDeadline().toNanos(),
        pool,
        config.threads(),
        config.vectorized());
  }

  private static String label(Step s) {
    return "node #" + s.index + " '" + s.name + "' (" + s.opType + ")";
  }

  public EngineInfo engineInfo() {
    return info;
  }

  /** Number of nodes in execution order (the trace has one leaf per non-empty output). */
  public int nodeCount() {
    return steps.length;
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
    ExecContext ctx = newContext();
    // The model's constants (initializers and folded values) stay live for the whole run.
    ctx.addLive(constantBytes);
    Nd[] values = constants.clone();
    for (String name : given.keySet()) {
      boolean known = false;
      for (TensorSpec s : inputs) {
        known |= s.name().equals(name);
      }
      if (!known) {
        throw new InferenceException(
            "unknown input '" + name + "'; the model takes " + inputNames());
      }
    }
    for (int i = 0; i < inputs.size(); i++) {
      TensorSpec s = inputs.get(i);
      Tensor t = given.get(s.name());
      if (t == null) {
        throw new InferenceException(
            "missing input '" + s.name() + "'; the model takes " + inputNames());
      }
      checkInput(s, t);
      long bytes = t.elementCount() * t.type().byteSize();
      try {
        ctx.at("input '" + s.name() + "'");
        ctx.reserve(bytes, "input", Arrays.stream(t.shape()).mapToInt(d -> (int) d).toArray());
      } catch (RunFailure e) {
        throw new InferenceException(e.getMessage());
      }
      values[inputIds[i]] = Nd.fromTensor(t);
      ctx.addLive(bytes);
    }
    StrictTrace.Builder trace =
        options.commitTrace() ? new StrictTrace.Builder(options.openableTrace()) : null;
    // An openable trace refers to every committed tensor, so nothing may be freed or recycled; a
    // root-only trace has hashed each output before it is freed.
    boolean keepValues = trace != null && trace.openable();
    Digest[][] foldedHashes = trace == null ? null : foldedLeafHashes();
    Step current = null;
    try {
      for (int si = 0; si < steps.length; si++) {
        Step s = steps[si];
        current = s;
        ctx.at(label(s));
        ctx.checkDeadline();
        Fusion fusion = trace == null ? fusions[si] : null;
        Nd[] out;
        if (fusion != null) {
          // Conv with its BatchNormalization/Relu successors applied per tile (same bits); the
          // intermediate values are never materialised, so this runs only without a trace.
          Nd[] in = new Nd[s.in.length];
          for (int j = 0; j < in.length; j++) {
            in[j] = s.in[j] < 0 ? null : values[s.in[j]];
          }
          long t0 = PROFILE != null ? CPU.getCurrentThreadCpuTime() : 0;
          Nd y = ((OpFactory.ConvKernel) s.kernel).runWithEpilogue(in, fusion.epilogue, ctx)[0];
          if (PROFILE != null) {
            PROFILE.merge(fusion.label, CPU.getCurrentThreadCpuTime() - t0, Long::sum);
          }
          values[fusion.outValue] = y;
          ctx.addLive(y.bytes());
          for (int k = si; k <= si + fusion.absorbed; k++) {
            free(values, freeAfter[k], ctx);
          }
          si += fusion.absorbed;
          continue;
        }
        if (s.folded != null) {
          out = s.folded;
        } else {
          Nd[] in = new Nd[s.in.length];
          for (int j = 0; j < in.length; j++) {
            if (s.in[j] >= 0) {
              in[j] = values[s.in[j]];
              if (in[j] == null) {
                throw new RunFailure(
                    label(s) + " input '" + valueNames[s.in[j]] + "' has no value");
              }
            }
          }
          long t0 = PROFILE != null ? CPU.getCurrentThreadCpuTime() : 0;
          out = s.kernel.run(in, ctx);
          if (PROFILE != null) {
            String key = s.opType;
            if (PROFILE_SHAPES) {
              StringBuilder k = new StringBuilder(s.opType);
              for (Nd v : in) {
                k.append(' ').append(v == null ? "-" : Arrays.toString(v.shape));
              }
              key = k.toString();
            }
            PROFILE.merge(key, CPU.getCurrentThreadCpuTime() - t0, Long::sum);
          }
        }
        for (int j = 0; j < s.out.length; j++) {
          if (s.out[j] < 0) {
            continue;
          }
          if (j >= out.length || out[j] == null) {
            throw new RunFailure(label(s) + " did not produce output '" + s.outNames[j] + "'");
          }
          values[s.out[j]] = out[j];
          if (s.folded == null) {
            ctx.addLive(out[j].bytes());
          }
          if (trace != null) {
            if (s.folded != null) {
              trace.addHashed(s.index, s.name, s.outNames[j], out[j], foldedHashes[si][j]);
            } else {
              trace.add(s.index, s.name, s.outNames[j], out[j]);
            }
          }
        }
        if (!keepValues) {
          free(values, freeAfter[s.index], ctx);
        }
      }
    } catch (RunFailure e) {
      throw new InferenceException(
          e.getMessage().startsWith("node #") || current == null
              ? e.getMessage()
              : label(current) + ": " + e.getMessage(),
          e);
    } catch (RuntimeException e) {
      // Any other failure inside a kernel (for example an index a hostile model pushed out of
      // range) is reported against the node, never propagated as an unchecked exception.
      throw new InferenceException((current == null ? "run" : label(current)) + " failed: " + e, e);
    }
    Map<String, Tensor> result = new LinkedHashMap<>();
    for (int j = 0; j < outputIds.length; j++) {
      Nd v = values[outputIds[j]];
      if (v == null) {
        throw new InferenceException(
            "graph output '" + outputs.get(j).name() + "' was not computed");
      }
      result.put(outputs.get(j).name(), v.toTensor());
    }
    return new InferenceResult(result, Optional.ofNullable(trace == null ? null : trace.build()));
  }

  private Digest[][] foldedLeafHashes() {
    Digest[][] h = foldedLeafHashes;
    if (h == null) {
      synchronized (this) {
        h = foldedLeafHashes;
        if (h == null) {
          h = hashFoldedLeaves();
          foldedLeafHashes = h;
        }
      }
    }
    return h;
  }

  /** The leaf hash of every folded output at the leaf index it has in each run's trace. */
  private Digest[][] hashFoldedLeaves() {
    Digest[][] h = new Digest[steps.length][];
    long leaf = 0;
    for (int si = 0; si < steps.length; si++) {
      Step s = steps[si];
      if (s.folded != null) {
        h[si] = new Digest[s.out.length];
      }
      for (int j = 0; j < s.out.length; j++) {
        if (s.out[j] < 0) {
          continue;
        }
        if (s.folded != null && j < s.folded.length && s.folded[j] != null) {
          h[si][j] = StrictTrace.leafHash(leaf, s.index, s.name, s.outNames[j], s.folded[j]);
        }
        leaf++;
      }
    }
    return h;
  }

  private static void free(Nd[] values, int[] dead, ExecContext ctx) {
    for (int v : dead) {
      Nd d = values[v];
      if (d != null) {
        ctx.addLive(-d.bytes());
        values[v] = null;
        if (d.f != null && !shared(values, d.f)) {
          ctx.recycle(d.f);
        }
      }
    }
  }

  /** Whether a live value still uses {@code array} (reshape-like operators share arrays). */
  private static boolean shared(Nd[] values, float[] array) {
    for (Nd v : values) {
      if (v != null && v.f == array) {
        return true;
      }
    }
    return false;
  }

  private List<String> inputNames() {
    return inputs.stream().map(TensorSpec::name).toList();
  }

  private static void checkInput(TensorSpec s, Tensor t) throws InferenceException {
    if (t.type() != s.type()) {
      throw new InferenceException(
          "input '" + s.name() + "' must be " + s.type() + ", got " + t.type());
    }
    if (!s.dims().isEmpty() || t.rank() == 0) {
      long[] shape = t.shape();
      if (shape.length != s.dims().size()) {
        throw new InferenceException(
            "input '"
                + s.name()
                + "' must have rank "
                + s.dims().size()
                + ", got shape "
                + Arrays.toString(shape));
      }
      for (int i = 0; i < shape.length; i++) {
        long want = s.dims().get(i);
        if (want > 0 && shape[i] != want) {
          throw new InferenceException(
              "input '"
                  + s.name()
                  + "' dimension "
                  + i
                  + " must be "
                  + want
                  + ", got shape "
                  + Arrays.toString(shape));
        }
      }
    }
    for (long d : t.shape()) {
      if (d > Integer.MAX_VALUE) {
        throw new InferenceException("input '" + s.name() + "' dimension " + d + " too large");
      }
    }
  }

  @Override
  public void close() {
    if (pool != null) {
      pool.shutdown();
    }
  }
}
