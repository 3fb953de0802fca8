package dev.verity.engine.strict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.verity.engine.EngineLimits;
import dev.verity.engine.InferenceResult;
import dev.verity.engine.RunOptions;
import dev.verity.engine.Tensor;
import dev.verity.engine.TensorSpec;
import dev.verity.engine.strict.onnx.OnnxModel;
import dev.verity.engine.strict.onnx.OnnxParser;
import dev.verity.engine.strict.ops.Nd;
import dev.verity.engine.strict.ops.OpFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Runs the official ONNX backend node tests (libonnx-testdata) for every test whose operators are
 * all supported, with the ONNX runner's tolerance |a-b| &le; atol + rtol*|b| (rtol 1e-3, atol 1e-7,
 * NaN equals NaN).
 */
class OnnxConformanceTest {
  static final double RTOL = 1e-3;
  static final double ATOL = 1e-7;

  /**
   * Tests whose operators are supported but that use a feature the strict engine refuses on
   * purpose; each with the reason.
   */
  static final Map<String, String> EXCLUDED = new TreeMap<>();

  static {
    String training = "training mode: the strict engine runs inference only";
    EXCLUDED.put("test_batchnorm_epsilon_training_mode", training);
    EXCLUDED.put("test_batchnorm_example_training_mode", training);
    String random = "training-mode Dropout draws random masks; refused as non-deterministic";
    EXCLUDED.put("test_training_dropout", random);
    EXCLUDED.put("test_training_dropout_default", random);
    EXCLUDED.put("test_training_dropout_default_mask", random);
    EXCLUDED.put("test_training_dropout_mask", random);
    EXCLUDED.put("test_convtranspose_3d", "3-D ConvTranspose is not implemented (1-D and 2-D are)");
  }

  /** Element types the strict engine refuses at load (float16, bfloat16, string, sequences). */
  static boolean unsupportedType(String message) {
    return message.contains("unsupported data type")
        || message.contains("unsupported element type")
        || message.contains("data type FLOAT16 is not supported")
        || message.contains("is not supported") && message.contains("data type");
  }

  record Outcome(String test, String op, boolean pass, String detail) {}

  @Test
  void officialNodeTests_allSupportedOpTestsPass() throws Exception {
    assumeTrue(Files.isDirectory(TestFiles.ONNX_NODE_TESTS), "ONNX test data not installed");
    StrictEngine engine = new StrictEngine(new StrictConfig(2, true));
    List<Outcome> outcomes = new ArrayList<>();
    int skippedUnsupported = 0;
    List<Path> dirs;
    try (Stream<Path> s = Files.list(TestFiles.ONNX_NODE_TESTS)) {
      dirs = s.filter(Files::isDirectory).sorted().toList();
    }
    for (Path dir : dirs) {
      String name = dir.getFileName().toString();
      byte[] modelBytes = Files.readAllBytes(dir.resolve("model.onnx"));
      OnnxModel parsed;
      try {
        parsed = OnnxParser.parse(modelBytes, 1L << 30, 1L << 32);
      } catch (Exception e) {
        skippedUnsupported++;
        continue;
      }
      boolean all = !parsed.graph().nodes().isEmpty();
      String mainOp = null;
      for (OnnxModel.Node n : parsed.graph().nodes()) {
        all &= OpFactory.supports(n.domain(), n.opType());
      }
      if (!all) {
        skippedUnsupported++;
        continue;
      }
      mainOp = opOf(name, parsed);
      if (EXCLUDED.containsKey(name)) {
        continue;
      }
      outcomes.add(runOne(engine, dir, name, mainOp, modelBytes));
    }
    Map<String, int[]> perOp = new TreeMap<>();
    List<Outcome> typeRefused =
        outcomes.stream().filter(o -> !o.pass && unsupportedType(o.detail)).toList();
    outcomes = new ArrayList<>(outcomes);
    outcomes.removeAll(typeRefused);
    for (Outcome o : outcomes) {
      int[] c = perOp.computeIfAbsent(o.op, k -> new int[2]);
      c[0]++;
      c[1] += o.pass ? 1 : 0;
    }
    StringBuilder table = new StringBuilder("\nONNX node conformance (strict engine)\n");
    table.append(String.format("%-24s %6s %6s%n", "op", "pass", "total"));
    int pass = 0;
    for (Map.Entry<String, int[]> e : perOp.entrySet()) {
      table.append(String.format("%-24s %6d %6d%n", e.getKey(), e.getValue()[1], e.getValue()[0]));
      pass += e.getValue()[1];
    }
    table.append(
        String.format(
            "TOTAL %d/%d pass; %d excluded; %d refused at load for element types"
                + " (float16/bfloat16/string/sequence/optional); %d use unsupported ops%n",
            pass, outcomes.size(), EXCLUDED.size(), typeRefused.size(), skippedUnsupported));
    EXCLUDED.forEach(
        (k, v) -> table.append("EXCLUDED ").append(k).append(": ").append(v).append('\n'));
    typeRefused.forEach(o -> table.append("TYPE-REFUSED ").append(o.test).append('\n'));
    for (Outcome o : outcomes) {
      if (!o.pass) {
        table.append("FAIL ").append(o.test).append(": ").append(o.detail).append('\n');
      }
    }
    System.out.println(table);
    assertThat(outcomes.stream().filter(o -> !o.pass).map(o -> o.test + ": " + o.detail).toList())
        .isEmpty();
    assertThat(outcomes.size()).isGreaterThan(300);
  }

  private static String opOf(String test, OnnxModel m) {
    // The op under test is the one named by the test; expanded function tests count for it too.
    String best = m.graph().nodes().get(m.graph().nodes().size() - 1).opType();
    String t = test.toLowerCase().replace("_", "");
    int bestLen = 0;
    for (String op : OpFactory.supportedOps()) {
      String o = op.toLowerCase();
      if (t.startsWith("test" + o) && o.length() > bestLen) {
        best = op;
        bestLen = o.length();
      }
    }
    return best;
  }

  static Outcome runOne(StrictEngine engine, Path dir, String name, String op, byte[] modelBytes) {
    try (StrictModel model = engine.load(modelBytes, EngineLimits.DEFAULT)) {
      List<Path> sets;
      try (Stream<Path> s = Files.list(dir)) {
        sets =
            s.filter(p -> p.getFileName().toString().startsWith("test_data_set")).sorted().toList();
      }
      for (Path set : sets) {
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        List<TensorSpec> specs = model.inputs();
        for (int i = 0; i < specs.size(); i++) {
          Path f = set.resolve("input_" + i + ".pb");
          if (!Files.exists(f)) {
            break;
          }
          inputs.put(
              specs.get(i).name(),
              OnnxParser.parseTensor(Files.readAllBytes(f), 1L << 30).toTensor());
        }
        InferenceResult r = model.run(inputs, RunOptions.DEFAULT);
        List<Tensor> got = new ArrayList<>(r.outputs().values());
        for (int i = 0; ; i++) {
          Path f = set.resolve("output_" + i + ".pb");
          if (!Files.exists(f)) {
            break;
          }
          Nd want = OnnxParser.parseTensor(Files.readAllBytes(f), 1L << 30);
          String diff = compare(want, Nd.fromTensor(got.get(i)));
          if (diff != null) {
            return new Outcome(name, op, false, set.getFileName() + " output " + i + ": " + diff);
          }
        }
      }
      return new Outcome(name, op, true, "");
    } catch (Exception | AssertionError e) {
      return new Outcome(name, op, false, e.toString());
    }
  }

  static String compare(Nd want, Nd got) {
    if (want.type != got.type) {
      return "type " + got.type + " != expected " + want.type;
    }
    if (!java.util.Arrays.equals(want.shape, got.shape)) {
      return "shape "
          + java.util.Arrays.toString(got.shape)
          + " != expected "
          + java.util.Arrays.toString(want.shape);
    }
    for (int i = 0; i < want.size; i++) {
      if (want.l != null) {
        if (want.l[i] != got.l[i]) {
          return "element " + i + ": " + got.l[i] + " != " + want.l[i];
        }
        continue;
      }
      double b = want.getDouble(i);
      double a = got.getDouble(i);
      if (Double.isNaN(a) && Double.isNaN(b)) {
        continue;
      }
      if (a == b) {
        continue;
      }
      if (!(Math.abs(a - b) <= ATOL + RTOL * Math.abs(b))) {
        return "element " + i + ": " + a + " != " + b;
      }
    }
    return null;
  }
}
