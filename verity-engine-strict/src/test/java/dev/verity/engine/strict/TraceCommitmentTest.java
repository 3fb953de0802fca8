package dev.verity.engine.strict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.core.Digest;
import dev.verity.engine.EngineLimits;
import dev.verity.engine.InferenceResult;
import dev.verity.engine.RunOptions;
import dev.verity.engine.Tensor;
import dev.verity.engine.TraceCommitment;
import dev.verity.engine.TraceOpening;
import dev.verity.engine.TraceVerificationException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Golden and negative vectors for the trace commitment (docs/TRACE.md). */
class TraceCommitmentTest {
  static final Map<String, Tensor> GOLDEN_INPUT =
      Map.of("x", Tensor.ofFloats(new long[] {1, 2}, new float[] {1.0f, -2.0f}));

  /** Pinned: changing the encoding, leaf layout, hashing or arithmetic breaks these. */
  static final String GOLDEN_ROOT =
      "sha256:9a199d5434175de3f9d3f0e8b2674b5d2f2d5af45f1329fa3be29c81604bae3e";

  static final String GOLDEN_LEAF0_HEX =
      "5654524c"
          + "01"
          + "0000000000000000"
          + "00000000"
          + "02000000"
          + "6d6d"
          + "01000000"
          + "68"
          + "5654454e"
          + "01"
          + "01"
          + "02"
          + "0100000000000000"
          + "0200000000000000"
          + "00000000"
          + "0000a0c0";

  static TraceCommitment goldenTrace(StrictConfig cfg) throws Exception {
    try (StrictModel m =
        new StrictEngine(cfg).load(OnnxBuilder.goldenModel(), EngineLimits.DEFAULT)) {
      InferenceResult r = m.run(GOLDEN_INPUT, RunOptions.WITH_TRACE);
      assertThat(r.outputs().get("y").toFloats()).containsExactly(0.125f, 0.0f);
      return r.trace().orElseThrow();
    }
  }

  @Test
  void goldenModel_rootAndLeafBytesArePinned() throws Exception {
    TraceCommitment t = goldenTrace(new StrictConfig(1, false));
    System.out.println("golden root " + t.root() + " leaf0 " + t.open(0).leafBytes().toHex());
    assertThat(t.leafCount()).isEqualTo(3);
    assertThat(t.root().toString()).isEqualTo(GOLDEN_ROOT);
    assertThat(t.open(0).leafBytes().toHex()).isEqualTo(GOLDEN_LEAF0_HEX);
    assertThat(t.open(2).tensor().toFloats()).containsExactly(0.125f, 0.0f);
    assertThat(t.open(1).outputName()).isEqualTo("z");
    assertThat(t.open(1).nodeName()).isEqualTo("add");
  }

  @Test
  void goldenModel_rootOnlyTrace_hasTheGoldenRoot_andOpensNothing() throws Exception {
    for (StrictConfig cfg : List.of(new StrictConfig(1, false), new StrictConfig(2, true))) {
      try (StrictModel m =
          new StrictEngine(cfg).load(OnnxBuilder.goldenModel(), EngineLimits.DEFAULT)) {
        TraceCommitment t = m.run(GOLDEN_INPUT, RunOptions.WITH_TRACE_ROOT).trace().orElseThrow();
        assertThat(t.root().toString()).isEqualTo(GOLDEN_ROOT);
        assertThat(t.leafCount()).isEqualTo(3);
        assertThatThrownBy(() -> t.open(0)).isInstanceOf(UnsupportedOperationException.class);
      }
    }
  }

  @Test
  void trace_isIdenticalForScalarVectorAndThreadedRuns() throws Exception {
    Digest a = goldenTrace(new StrictConfig(1, false)).root();
    Digest b = goldenTrace(new StrictConfig(4, true)).root();
    assertThat(b).isEqualTo(a);
  }

  @Test
  void everyLeafOpening_verifiesAgainstRoot() throws Exception {
    TraceCommitment t = goldenTrace(new StrictConfig(2, true));
    for (int i = 0; i < t.leafCount(); i++) {
      t.open(i).verify(t.root(), t.leafCount());
    }
  }

  @Test
  void verify_tamperedTensor_throws() throws Exception {
    TraceCommitment t = goldenTrace(new StrictConfig(1, true));
    TraceOpening o = t.open(1);
    TraceOpening forged =
        new TraceOpening(
            o.leafIndex(),
            o.leafCount(),
            o.nodeIndex(),
            o.nodeName(),
            o.outputName(),
            Tensor.ofFloats(new long[] {1, 2}, new float[] {0.125f, -2.5000002f}),
            o.path());
    assertThatThrownBy(() -> forged.verify(t.root(), t.leafCount()))
        .isInstanceOf(TraceVerificationException.class)
        .hasMessageContaining("does not lead to root");
  }

  @Test
  void verify_tamperedPath_wrongIndex_wrongSize_throw() throws Exception {
    TraceCommitment t = goldenTrace(new StrictConfig(1, true));
    TraceOpening o = t.open(0);
    List<Digest> path = new ArrayList<>(o.path());
    path.set(0, Digest.of(new byte[] {1}));
    TraceOpening badPath =
        new TraceOpening(
            o.leafIndex(),
            o.leafCount(),
            o.nodeIndex(),
            o.nodeName(),
            o.outputName(),
            o.tensor(),
            path);
    assertThatThrownBy(() -> badPath.verify(t.root(), t.leafCount()))
        .isInstanceOf(TraceVerificationException.class);
    TraceOpening badIndex =
        new TraceOpening(
            1, o.leafCount(), o.nodeIndex(), o.nodeName(), o.outputName(), o.tensor(), o.path());
    assertThatThrownBy(() -> badIndex.verify(t.root(), t.leafCount()))
        .isInstanceOf(TraceVerificationException.class);
    assertThatThrownBy(() -> o.verify(t.root(), 4))
        .isInstanceOf(TraceVerificationException.class)
        .hasMessageContaining("commitment has 4");
    TraceOpening renamed =
        new TraceOpening(
            o.leafIndex(),
            o.leafCount(),
            o.nodeIndex(),
            "other",
            o.outputName(),
            o.tensor(),
            o.path());
    assertThatThrownBy(() -> renamed.verify(t.root(), t.leafCount()))
        .isInstanceOf(TraceVerificationException.class);
  }

  @Test
  void mnistTrace_coversEveryNodeOutput_andOpensIntermediates() throws Exception {
    Path model = TestFiles.model("mnist/mnist-7.onnx");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(model));
    try (StrictModel m =
        new StrictEngine(new StrictConfig(2, true))
            .load(Files.readAllBytes(model), EngineLimits.DEFAULT)) {
      float[] x = SharedModelsTest.image(784, 3);
      InferenceResult r =
          m.run(
              Map.of(m.inputs().get(0).name(), Tensor.ofFloats(new long[] {1, 1, 28, 28}, x)),
              RunOptions.WITH_TRACE);
      TraceCommitment t = r.trace().orElseThrow();
      assertThat(t.leafCount()).isEqualTo(m.nodeCount());
      TraceOpening last = t.open(t.leafCount() - 1);
      last.verify(t.root(), t.leafCount());
      assertThat(last.tensor()).isEqualTo(r.outputs().values().iterator().next());
      TraceOpening mid = t.open(3);
      mid.verify(t.root(), t.leafCount());
      assertThat(
              m.run(
                      Map.of(
                          m.inputs().get(0).name(), Tensor.ofFloats(new long[] {1, 1, 28, 28}, x)),
                      RunOptions.DEFAULT)
                  .trace())
          .isEmpty();
    }
  }
}
