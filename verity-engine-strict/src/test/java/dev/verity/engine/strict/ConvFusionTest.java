package dev.verity.engine.strict;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verity.engine.EngineLimits;
import dev.verity.engine.InferenceResult;
import dev.verity.engine.RunOptions;
import dev.verity.engine.Tensor;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/** Fused Conv+BatchNormalization+Relu (no trace) must equal the node-by-node run bit for bit. */
class ConvFusionTest {
  static float[] values(int n, Random r) {
    float[] special = {Float.NaN, Float.POSITIVE_INFINITY, -0.0f, 0.0f, Float.MIN_VALUE, -1e-39f};
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = r.nextInt(25) == 0 ? special[r.nextInt(special.length)] : (float) r.nextGaussian();
    }
    return v;
  }

  @Property(tries = 25)
  void fusedRun_equalsTracedAndScalarRuns(@ForAll long seed) throws Exception {
    Random r = new Random(seed);
    int c = 1 + r.nextInt(4);
    int m = 1 + r.nextInt(9);
    int h = 3 + r.nextInt(10);
    float[] var = values(m, r);
    for (int i = 0; i < m; i++) {
      var[i] = Math.abs(var[i]);
    }
    byte[] model =
        new OnnxBuilder()
            .initializer("W", new long[] {m, c, 3, 3}, values(m * c * 9, r))
            .initializer("B", new long[] {m}, values(m, r))
            .initializer("s", new long[] {m}, values(m, r))
            .initializer("b", new long[] {m}, values(m, r))
            .initializer("mean", new long[] {m}, values(m, r))
            .initializer("var", new long[] {m}, var)
            .input("x", 1, c, h, h)
            .node(
                "conv",
                "Conv",
                new String[] {"x", "W", "B"},
                new String[] {"c"},
                OnnxBuilder.intsAttr("pads", 1, 1, 1, 1))
            .node(
                "bn",
                "BatchNormalization",
                new String[] {"c", "s", "b", "mean", "var"},
                new String[] {"n"})
            .node("relu", "Relu", new String[] {"n"}, new String[] {"y"})
            .output("y", 1, m, h, h)
            .build();
    Map<String, Tensor> in =
        Map.of("x", Tensor.ofFloats(new long[] {1, c, h, h}, values(c * h * h, r)));
    Tensor fused;
    Tensor traced;
    try (StrictModel fast =
        new StrictEngine(new StrictConfig(2, true)).load(model, EngineLimits.DEFAULT)) {
      fused = fast.run(in, RunOptions.DEFAULT).outputs().get("y");
      InferenceResult t = fast.run(in, RunOptions.WITH_TRACE);
      traced = t.outputs().get("y");
      assertThat(t.trace().orElseThrow().leafCount()).isEqualTo(3);
    }
    try (StrictModel scalar =
        new StrictEngine(new StrictConfig(1, false)).load(model, EngineLimits.DEFAULT)) {
      assertThat(scalar.run(in, RunOptions.DEFAULT).outputs().get("y")).isEqualTo(traced);
    }
    assertThat(fused).isEqualTo(traced);
  }
}
