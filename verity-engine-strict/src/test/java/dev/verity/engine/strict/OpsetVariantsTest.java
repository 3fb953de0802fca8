package dev.verity.engine.strict;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verity.engine.EngineLimits;
import dev.verity.engine.RunOptions;
import dev.verity.engine.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Operators whose attributes became inputs in opsets newer than the bundled ONNX test data
 * (ReduceMean/ReduceMax axes input in opset 18, Pad axes in 18) and Gelu (opset 20).
 */
class OpsetVariantsTest {
  static float[] run(byte[] model, float[] x, long... shape) throws Exception {
    try (StrictModel m =
        new StrictEngine(new StrictConfig(1, true)).load(model, EngineLimits.DEFAULT)) {
      return m.run(Map.of("x", Tensor.ofFloats(shape, x)), RunOptions.DEFAULT)
          .outputs()
          .values()
          .iterator()
          .next()
          .toFloats();
    }
  }

  @Test
  void reduceMean_axesAttributeAtOpset13_andInputAtOpset18_agree() throws Exception {
    float[] x = {1, 2, 3, 4, 5, 6};
    byte[] v13 =
        new OnnxBuilder()
            .opset(13)
            .input("x", 2, 3)
            .node(
                "r",
                "ReduceMean",
                new String[] {"x"},
                new String[] {"y"},
                OnnxBuilder.intsAttr("axes", 1),
                OnnxBuilder.intAttr("keepdims", 0))
            .output("y", 2)
            .build();
    byte[] v18 =
        new OnnxBuilder()
            .opset(18)
            .longInitializer("axes", new long[] {1}, new long[] {1})
            .input("x", 2, 3)
            .node(
                "r",
                "ReduceMean",
                new String[] {"x", "axes"},
                new String[] {"y"},
                OnnxBuilder.intAttr("keepdims", 0))
            .output("y", 2)
            .build();
    assertThat(run(v13, x, 2, 3)).containsExactly(2f, 5f);
    assertThat(run(v18, x, 2, 3)).containsExactly(2f, 5f);
  }

  @Test
  void reduceMax_opset18_withoutAxes_reducesAll_unlessNoop() throws Exception {
    float[] x = {1, 7, 3, 4};
    byte[] all =
        new OnnxBuilder()
            .opset(18)
            .input("x", 2, 2)
            .node(
                "r",
                "ReduceMax",
                new String[] {"x"},
                new String[] {"y"},
                OnnxBuilder.intAttr("keepdims", 0))
            .output("y")
            .build();
    byte[] noop =
        new OnnxBuilder()
            .opset(18)
            .input("x", 2, 2)
            .node(
                "r",
                "ReduceMax",
                new String[] {"x"},
                new String[] {"y"},
                OnnxBuilder.intAttr("noop_with_empty_axes", 1))
            .output("y", 2, 2)
            .build();
    assertThat(run(all, x, 2, 2)).containsExactly(7f);
    assertThat(run(noop, x, 2, 2)).containsExactly(1f, 7f, 3f, 4f);
  }

  @Test
  void pad_opset18_axesInput_padsOnlyThatAxis() throws Exception {
    byte[] m =
        new OnnxBuilder()
            .opset(18)
            .longInitializer("pads", new long[] {2}, new long[] {1, 2})
            .longInitializer("axes", new long[] {1}, new long[] {1})
            .input("x", 1, 2)
            .node("p", "Pad", new String[] {"x", "pads", "", "axes"}, new String[] {"y"})
            .output("y", 1, 5)
            .build();
    assertThat(run(m, new float[] {3, 4}, 1, 2)).containsExactly(0f, 3f, 4f, 0f, 0f);
  }

  @Test
  void gelu_opset20_exactAndTanh_matchDefinitions() throws Exception {
    float[] x = {-3f, -1f, -0.5f, 0f, 0.5f, 1f, 3f};
    byte[] exact =
        new OnnxBuilder()
            .opset(20)
            .input("x", 7)
            .node("g", "Gelu", new String[] {"x"}, new String[] {"y"})
            .output("y", 7)
            .build();
    byte[] tanh =
        new OnnxBuilder()
            .opset(20)
            .input("x", 7)
            .node(
                "g",
                "Gelu",
                new String[] {"x"},
                new String[] {"y"},
                OnnxBuilder.strAttr("approximate", "tanh"))
            .output("y", 7)
            .build();
    float[] ye = run(exact, x, 7);
    float[] yt = run(tanh, x, 7);
    // Reference values of x * Phi(x) (exact) from the standard normal CDF.
    double[] want = {
      -0.0040496570, -0.15865525, -0.15426877, 0.0, 0.34573123, 0.84134475, 2.9959503
    };
    for (int i = 0; i < x.length; i++) {
      assertThat((double) ye[i])
          .isCloseTo(want[i], org.assertj.core.data.Offset.offset(2e-7 + 1e-6 * Math.abs(want[i])));
      assertThat((double) yt[i]).isCloseTo(want[i], org.assertj.core.data.Offset.offset(1e-3));
    }
  }

  @Test
  void erf_matchesReferenceValues_andIsOdd() {
    double[][] pts = {
      {0.5, 0.5204998778130465},
      {1.0, 0.8427007929497149},
      {2.0, 0.9953222650189527},
      {3.5, 0.9999992569016276},
      {5.0, 0.9999999999984626}
    };
    for (double[] p : pts) {
      assertThat(dev.verity.engine.strict.ops.StrictFns.erf(p[0]))
          .isCloseTo(p[1], org.assertj.core.data.Offset.offset(1e-12));
      assertThat(dev.verity.engine.strict.ops.StrictFns.erf(-p[0]))
          .isEqualTo(-dev.verity.engine.strict.ops.StrictFns.erf(p[0]));
    }
  }
}
