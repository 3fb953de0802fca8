package dev.verity.engine.strict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.verity.core.Digest;
import dev.verity.engine.EngineLimits;
import dev.verity.engine.InferenceResult;
import dev.verity.engine.RunOptions;
import dev.verity.engine.Tensor;
import dev.verity.engine.TraceMerkle;
import dev.verity.engine.TraceOpening;
import dev.verity.engine.strict.trace.StrictTrace;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Root-only traces (hashed while running, intermediates freed and their arrays recycled) commit to
 * exactly the leaves of the reference path: SHA-256 over {@link TraceOpening#leafBytes} of each
 * opened tensor of an openable trace.
 */
class TraceRootOnlyTest {
  /** Reference leaf hashes: every leaf opened and its leaf bytes built and hashed in full. */
  private static List<Digest> referenceLeafHashes(StrictTrace t) {
    List<Digest> hashes = new ArrayList<>();
    for (long i = 0; i < t.leafCount(); i++) {
      hashes.add(TraceMerkle.leafHash(t.open(i).leafBytes().toByteArray()));
    }
    return hashes;
  }

  private static void assertRootOnlyMatchesReference(StrictModel m, Map<String, Tensor> in)
      throws Exception {
    InferenceResult bare = m.run(in, RunOptions.DEFAULT);
    InferenceResult openable = m.run(in, RunOptions.WITH_TRACE);
    // Twice: the second run takes the folded constants' leaf hashes from the model's cache.
    InferenceResult rootOnly = m.run(in, RunOptions.WITH_TRACE_ROOT);
    InferenceResult again = m.run(in, RunOptions.WITH_TRACE_ROOT);
    StrictTrace full = (StrictTrace) openable.trace().orElseThrow();
    StrictTrace root = (StrictTrace) rootOnly.trace().orElseThrow();
    List<Digest> reference = referenceLeafHashes(full);
    assertThat(root.leafCount()).isEqualTo(reference.size()).isEqualTo(full.leafCount());
    for (int i = 0; i < reference.size(); i++) {
      assertThat(root.leafHash(i)).as("leaf %d", i).isEqualTo(reference.get(i));
      assertThat(full.leafHash(i)).as("leaf %d", i).isEqualTo(reference.get(i));
    }
    Digest referenceRoot = TraceMerkle.root(reference);
    assertThat(root.root()).isEqualTo(referenceRoot);
    assertThat(full.root()).isEqualTo(referenceRoot);
    assertThat(again.trace().orElseThrow().root()).isEqualTo(referenceRoot);
    for (InferenceResult r : List.of(openable, rootOnly, again)) {
      assertThat(Tensor.class.cast(r.outputs().values().iterator().next()).digest())
          .isEqualTo(bare.outputs().values().iterator().next().digest());
    }
    assertThatThrownBy(() -> root.open(0)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void mnist7_rootOnlyTrace_equalsReferenceLeafByLeaf() throws Exception {
    Path model = TestFiles.model("mnist/mnist-7.onnx");
    assumeTrue(Files.exists(model), "mnist missing");
    byte[] bytes = Files.readAllBytes(model);
    for (StrictConfig cfg : List.of(new StrictConfig(2, true), new StrictConfig(1, false))) {
      try (StrictModel m = new StrictEngine(cfg).load(bytes, EngineLimits.DEFAULT)) {
        for (int seed = 1; seed <= 3; seed++) {
          Tensor x = Tensor.ofFloats(new long[] {1, 1, 28, 28}, SharedModelsTest.image(784, seed));
          assertRootOnlyMatchesReference(m, Map.of(m.inputs().get(0).name(), x));
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "light_squeezenet",
        "light_resnet50",
        "light_inception_v1",
        "light_bvlc_alexnet",
        "light_vgg19"
      })
  void lightModel_rootOnlyTrace_equalsReferenceLeafByLeaf(String name) throws Exception {
    Path file = TestFiles.model("onnx-light/" + name + ".onnx");
    assumeTrue(Files.exists(file), "shared models missing");
    try (StrictModel m =
        new StrictEngine(new StrictConfig(2, true))
            .load(Files.readAllBytes(file), EngineLimits.DEFAULT)) {
      Tensor x =
          Tensor.ofFloats(new long[] {1, 3, 224, 224}, SharedModelsTest.image(3 * 224 * 224, 5));
      assertRootOnlyMatchesReference(m, Map.of(m.inputs().get(0).name(), x));
    }
  }

  /**
   * Runs that free intermediates must never free a folded constant (here the ConstantOfShape
   * weights): its array would be recycled into a later output and the model's weights overwritten
   * for every following run.
   */
  @Test
  void repeatedFreeingRuns_leaveFoldedConstantsIntact() throws Exception {
    Path file = TestFiles.model("onnx-light/light_bvlc_alexnet.onnx");
    assumeTrue(Files.exists(file), "shared models missing");
    try (StrictModel m =
        new StrictEngine(new StrictConfig(1, true))
            .load(Files.readAllBytes(file), EngineLimits.DEFAULT)) {
      Map<String, Tensor> in =
          Map.of(
              m.inputs().get(0).name(),
              Tensor.ofFloats(
                  new long[] {1, 3, 224, 224}, SharedModelsTest.image(3 * 224 * 224, 9)));
      InferenceResult first = m.run(in, RunOptions.WITH_TRACE);
      Tensor weightsBefore = first.trace().orElseThrow().open(10).tensor();
      m.run(in, RunOptions.DEFAULT);
      m.run(in, RunOptions.WITH_TRACE_ROOT);
      InferenceResult later = m.run(in, RunOptions.WITH_TRACE_ROOT);
      assertThat(first.trace().orElseThrow().open(10).tensor()).isEqualTo(weightsBefore);
      assertThat(later.trace().orElseThrow().root()).isEqualTo(first.trace().orElseThrow().root());
      assertThat(later.outputs().values().iterator().next().digest())
          .isEqualTo(first.outputs().values().iterator().next().digest());
    }
  }

  /** Leaves holding NaNs (x86 produces 0/0 with the sign bit set; inputs may carry payloads). */
  @Test
  void nanLeaves_areHashedInCanonicalForm() throws Exception {
    int n = 3000;
    byte[] model =
        new OnnxBuilder()
            .input("x", 1, n)
            .node("div", "Div", new String[] {"x", "x"}, new String[] {"q"})
            .node("id", "Identity", new String[] {"x"}, new String[] {"y"})
            .output("q", 1, n)
            .output("y", 1, n)
            .build();
    ByteBuffer b = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      b.putInt(
          switch (i % 4) {
            case 0 -> 0; // 0/0
            case 1 -> 0x7fa00001; // NaN with a payload
            case 2 -> 0xffc00000; // negative NaN
            default -> Float.floatToIntBits(i);
          });
    }
    try (StrictModel m =
        new StrictEngine(new StrictConfig(1, true)).load(model, EngineLimits.DEFAULT)) {
      Tensor x = Tensor.ofBytes(dev.verity.engine.DataType.FLOAT32, new long[] {1, n}, b.array());
      assertRootOnlyMatchesReference(m, Map.of("x", x));
    }
  }
}
