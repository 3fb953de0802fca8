package dev.verity.audit.strict;

import dev.verity.audit.bisect.SingleStepReferee;
import dev.verity.audit.bisect.StepMismatchException;
import dev.verity.core.Digest;
import dev.verity.engine.EngineLimits;
import dev.verity.engine.Tensor;
import dev.verity.engine.TensorEncoding;
import dev.verity.engine.TraceOpening;
import dev.verity.engine.TraceVerificationException;
import dev.verity.engine.strict.onnx.OnnxModel;
import dev.verity.engine.strict.onnx.OnnxParser;
import dev.verity.engine.strict.onnx.ProtoException;
import dev.verity.engine.strict.ops.ExecContext;
import dev.verity.engine.strict.ops.Kernel;
import dev.verity.engine.strict.ops.Nd;
import dev.verity.engine.strict.ops.OpFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Referee for strict-engine traces: runs exactly one node of the graph, with the strict engine's
 * own kernels, on its inputs opened from the agreed part of the trace (or the model's initializers
 * and the request's inputs), and requires the committed leaf to equal the result bit for bit.
 *
 * <p>The leaf layout is recomputed from the model as verity-engine-strict/docs/TRACE.md defines it:
 * nodes in Kahn order taking ready nodes in file order, one leaf per named output.
 */
public final class StrictStepReferee implements SingleStepReferee<TraceOpening> {
  /** One leaf of the layout: the node at position {@code order} and its output {@code output}. */
  private record Slot(int order, OnnxModel.Node node, int output) {
    String outputName() {
      return node.outputs().get(output);
    }
  }

  private final OnnxModel model;
  private final long opset;
  private final Map<String, Tensor> inputs;
  private final List<Slot> layout;
  private final Map<String, Integer> leafOf = new HashMap<>();
  private final EngineLimits limits;

  /**
   * @param modelBytes the ONNX model the receipt names (its digest is checked by the caller)
   * @param inputs the request's inputs (their digest is the receipt's input digest)
   */
  public StrictStepReferee(byte[] modelBytes, Map<String, Tensor> inputs, EngineLimits limits) {
    this.limits = Objects.requireNonNull(limits, "limits");
    try {
      this.model = OnnxParser.parse(modelBytes, limits.maxTensorBytes(), limits.maxTotalBytes());
    } catch (ProtoException e) {
      throw new IllegalArgumentException("malformed ONNX model: " + e.getMessage(), e);
    }
    this.opset = model.defaultOpset();
    this.inputs = Map.copyOf(inputs);
    this.layout = layout(model.graph());
    for (int i = 0; i < layout.size(); i++) {
      leafOf.put(layout.get(i).outputName(), i);
    }
  }

  /** Number of leaves a correct trace of this model has. */
  public long leafCount() {
    return layout.size();
  }

  /** The trace position of value {@code name}, or -1 if no node produces it. */
  public long leafIndexOf(String name) {
    return leafOf.getOrDefault(name, -1);
  }

  @Override
  public Digest leafHash(TraceOpening leaf) {
    return dev.verity.engine.TraceMerkle.leafHash(leaf.leafBytes().toByteArray());
  }

  @Override
  public void verifyOpening(long index, Digest root, long leafCount, TraceOpening leaf)
      throws StepMismatchException {
    if (leaf.leafIndex() != index) {
      throw new StepMismatchException(
          "opening is for leaf " + leaf.leafIndex() + ", expected leaf " + index);
    }
    try {
      leaf.verify(root, leafCount);
    } catch (TraceVerificationException e) {
      throw new StepMismatchException(e.getMessage(), e);
    }
  }

  @Override
  public void checkStep(
      long leafIndex,
      Digest root,
      long leafCount,
      TraceOpening claimed,
      AgreedLeaves<TraceOpening> agreed)
      throws StepMismatchException {
    verifyOpening(leafIndex, root, leafCount, claimed);
    if (leafCount != layout.size()) {
      throw new StepMismatchException(
          "the trace has " + leafCount + " leaves, the model produces " + layout.size());
    }
    Slot slot = layout.get((int) leafIndex);
    Tensor expected = execute(slot, leafIndex, agreed);
    byte[] want =
        TraceOpening.leafBytes(
            leafIndex, slot.order(), slot.node().name(), slot.outputName(), expected);
    if (!Arrays.equals(want, claimed.leafBytes().toByteArray())) {
      throw new StepMismatchException(describe(slot, leafIndex, claimed, expected));
    }
  }

  @Override
  public void checkOutput(
      Digest root, long leafCount, Digest claimedOutputDigest, AgreedLeaves<TraceOpening> agreed)
      throws StepMismatchException {
    Map<String, Tensor> outs = new LinkedHashMap<>();
    for (OnnxModel.ValueInfo o : model.graph().outputs()) {
      outs.put(o.name(), value(o.name(), leafCount, agreed));
    }
    Digest d = TensorEncoding.digest(outs);
    if (!d.equals(claimedOutputDigest)) {
      throw new StepMismatchException(
          "the committed trace's outputs digest to " + d + ", not " + claimedOutputDigest);
    }
  }

  private Tensor execute(Slot slot, long leafIndex, AgreedLeaves<TraceOpening> agreed)
      throws StepMismatchException {
    OnnxModel.Node node = slot.node();
    Nd[] in = new Nd[node.inputs().size()];
    for (int j = 0; j < in.length; j++) {
      String name = node.inputs().get(j);
      if (!name.isEmpty()) {
        in[j] = Nd.fromTensor(value(name, leafIndex, agreed));
      }
    }
    Kernel kernel;
    try {
      kernel = OpFactory.create(node, opset);
    } catch (OpFactory.UnsupportedOp e) {
      throw new IllegalStateException("the strict engine cannot run " + label(slot), e);
    }
    ExecContext ctx =
        new ExecContext(limits, System.nanoTime() + limits.runDeadline().toNanos(), null, 1, false);
    ctx.at(label(slot));
    Nd[] out = kernel.run(in, ctx);
    if (slot.output() >= out.length || out[slot.output()] == null) {
      throw new IllegalStateException(label(slot) + " produced no output " + slot.outputName());
    }
    return out[slot.output()].toTensor();
  }

  /** A value before leaf {@code bound}: an initializer, a request input, or an agreed leaf. */
  private Tensor value(String name, long bound, AgreedLeaves<TraceOpening> agreed)
      throws StepMismatchException {
    Nd init = model.graph().initializers().get(name);
    if (init != null) {
      return init.toTensor();
    }
    Integer j = leafOf.get(name);
    if (j == null) {
      Tensor t = inputs.get(name);
      if (t == null) {
        throw new IllegalArgumentException("the request has no input '" + name + "'");
      }
      return t;
    }
    if (j >= bound) {
      throw new IllegalStateException(
          "value '" + name + "' (leaf " + j + ") is not computed before leaf " + bound);
    }
    TraceOpening o = agreed.open(j);
    Slot s = layout.get(j);
    if (o.nodeIndex() != s.order()
        || !o.nodeName().equals(s.node().name())
        || !o.outputName().equals(name)) {
      throw new StepMismatchException(
          "agreed leaf "
              + j
              + " is "
              + o.nodeName()
              + "/"
              + o.outputName()
              + ", expected "
              + label(s));
    }
    return o.tensor();
  }

  private static String describe(Slot slot, long i, TraceOpening claimed, Tensor expected) {
    StringBuilder sb =
        new StringBuilder("re-executing ").append(label(slot)).append(" (leaf ").append(i);
    if (claimed.nodeIndex() != slot.order()
        || !claimed.nodeName().equals(slot.node().name())
        || !claimed.outputName().equals(slot.outputName())) {
      return sb.append(") : the committed leaf names ")
          .append(claimed.nodeName())
          .append('/')
          .append(claimed.outputName())
          .toString();
    }
    Tensor c = claimed.tensor();
    if (c.type() != expected.type() || !Arrays.equals(c.shape(), expected.shape())) {
      return sb.append(") gives ")
          .append(expected.type())
          .append(Arrays.toString(expected.shape()))
          .append(", committed ")
          .append(c.type())
          .append(Arrays.toString(c.shape()))
          .toString();
    }
    byte[] a = expected.data();
    byte[] b = c.data();
    int first = 0;
    while (first < a.length && a[first] == b[first]) {
      first++;
    }
    int size = expected.type().byteSize();
    return sb.append(") gives a different tensor: first difference in element ")
        .append(first / Math.max(size, 1))
        .toString();
  }

  private static String label(Slot s) {
    return "node #" + s.order() + " '" + s.node().name() + "' (" + s.node().opType() + ")";
  }

  /** Kahn's algorithm, ready nodes in file order (verity-engine-strict docs/TRACE.md). */
  private static List<Slot> layout(OnnxModel.Graph g) {
    List<OnnxModel.Node> nodes = g.nodes();
    Set<String> inits = g.initializers().keySet();
    Set<String> graphInputs = new java.util.HashSet<>();
    for (OnnxModel.ValueInfo v : g.inputs()) {
      graphInputs.add(v.name());
    }
    Map<String, Integer> producer = new HashMap<>();
    for (int i = 0; i < nodes.size(); i++) {
      for (String o : nodes.get(i).outputs()) {
        if (!o.isEmpty()) {
          producer.put(o, i);
        }
      }
    }
    int[] pending = new int[nodes.size()];
    List<List<Integer>> consumers = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      consumers.add(new ArrayList<>());
    }
    for (int i = 0; i < nodes.size(); i++) {
      for (String in : nodes.get(i).inputs()) {
        if (in.isEmpty() || inits.contains(in) || graphInputs.contains(in)) {
          continue;
        }
        Integer p = producer.get(in);
        if (p == null) {
          throw new IllegalArgumentException("value '" + in + "' is produced by no node");
        }
        pending[i]++;
        consumers.get(p).add(i);
      }
    }
    PriorityQueue<Integer> ready = new PriorityQueue<>();
    for (int i = 0; i < nodes.size(); i++) {
      if (pending[i] == 0) {
        ready.add(i);
      }
    }
    List<Slot> out = new ArrayList<>();
    int k = 0;
    while (!ready.isEmpty()) {
      int i = ready.poll();
      OnnxModel.Node n = nodes.get(i);
      for (int j = 0; j < n.outputs().size(); j++) {
        if (!n.outputs().get(j).isEmpty()) {
          out.add(new Slot(k, n, j));
        }
      }
      k++;
      for (int c : consumers.get(i)) {
        if (--pending[c] == 0) {
          ready.add(c);
        }
      }
    }
    if (k != nodes.size()) {
      throw new IllegalArgumentException("the graph has a cycle");
    }
    return List.copyOf(out);
  }
}
