package dev.verity.engine.strict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.engine.EngineLimits;
import dev.verity.engine.InferenceException;
import dev.verity.engine.ModelLoadException;
import dev.verity.engine.RunOptions;
import dev.verity.engine.Tensor;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** Malformed, malicious and over-budget models and inputs get clear checked exceptions. */
class HostileModelTest {
  static final StrictEngine ENGINE = new StrictEngine(new StrictConfig(2, true));

  static StrictModel load(byte[] b) throws ModelLoadException {
    return ENGINE.load(b, EngineLimits.DEFAULT);
  }

  @Test
  void unknownOp_namesOpNodeAndOpset() {
    byte[] m =
        new OnnxBuilder()
            .input("x", 1)
            .node("weird", "NonMaxSuppression", new String[] {"x"}, new String[] {"y"})
            .output("y", 1)
            .build();
    assertThatThrownBy(() -> load(m))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("NonMaxSuppression")
        .hasMessageContaining("'weird'")
        .hasMessageContaining("opset 13");
  }

  @Test
  void missingRequiredInput_isRefusedAtLoad() {
    byte[] m =
        new OnnxBuilder()
            .input("x", 4)
            .node("r", "Reshape", new String[] {"x", ""}, new String[] {"y"})
            .output("y", 4)
            .build();
    assertThatThrownBy(() -> load(m))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("'r' (Reshape) is missing required input #1");
  }

  @Test
  void cycle_isRefusedNamingNodes() {
    byte[] m =
        new OnnxBuilder()
            .input("x", 1)
            .node("a", "Add", new String[] {"x", "c"}, new String[] {"b"})
            .node("b2", "Relu", new String[] {"b"}, new String[] {"c"})
            .output("c", 1)
            .build();
    assertThatThrownBy(() -> load(m))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("cycle");
  }

  @Test
  void danglingInput_isRefusedNamingValue() {
    byte[] m =
        new OnnxBuilder()
            .input("x", 1)
            .node("a", "Add", new String[] {"x", "ghost"}, new String[] {"y"})
            .output("y", 1)
            .build();
    assertThatThrownBy(() -> load(m))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("'ghost'")
        .hasMessageContaining("nothing produces");
  }

  @Test
  void absurdInitializerDims_refusedBeforeAllocating() {
    ByteArrayOutputStream t = new ByteArrayOutputStream();
    for (long d : new long[] {1L << 30, 1L << 30}) {
      OnnxBuilder.tag(t, 1, 0);
      OnnxBuilder.varint(t, d);
    }
    OnnxBuilder.tag(t, 2, 0);
    OnnxBuilder.varint(t, 1);
    OnnxBuilder.str(t, 8, "huge");
    OnnxBuilder.bytes(t, 9, new byte[16]);
    byte[] m =
        new OnnxBuilder().rawInitializer(t.toByteArray()).input("x", 1).output("x", 1).build();
    assertThatThrownBy(() -> load(m))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("'huge'")
        .hasMessageContaining("per-tensor limit");
  }

  @Test
  void lengthBombAndTruncation_areRefused() {
    byte[] good = OnnxBuilder.goldenModel();
    byte[] truncated = java.util.Arrays.copyOf(good, good.length - 7);
    assertThatThrownBy(() -> load(truncated)).isInstanceOf(ModelLoadException.class);
    ByteArrayOutputStream bomb = new ByteArrayOutputStream();
    OnnxBuilder.tag(bomb, 7, 2);
    OnnxBuilder.varint(bomb, Long.MAX_VALUE);
    bomb.writeBytes(new byte[10]);
    assertThatThrownBy(() -> load(bomb.toByteArray()))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("exceeds");
  }

  @Test
  void externalData_isRefused() {
    ByteArrayOutputStream t = new ByteArrayOutputStream();
    OnnxBuilder.tag(t, 1, 0);
    OnnxBuilder.varint(t, 4);
    OnnxBuilder.tag(t, 2, 0);
    OnnxBuilder.varint(t, 1);
    OnnxBuilder.str(t, 8, "w");
    ByteArrayOutputStream kv = new ByteArrayOutputStream();
    OnnxBuilder.str(kv, 1, "location");
    OnnxBuilder.str(kv, 2, "../../etc/passwd");
    OnnxBuilder.bytes(t, 13, kv.toByteArray());
    OnnxBuilder.tag(t, 14, 0);
    OnnxBuilder.varint(t, 1);
    byte[] m =
        new OnnxBuilder().rawInitializer(t.toByteArray()).input("x", 1).output("x", 1).build();
    assertThatThrownBy(() -> load(m))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("externally");
  }

  @Test
  void tensorOverBudget_namesNodeAndSize() throws Exception {
    byte[] m2 =
        new OnnxBuilder()
            .input("x", 1, 64)
            .node("mm", "MatMul", new String[] {"x", "w"}, new String[] {"y"})
            .initializer("w", new long[] {64, 4096}, new float[64 * 4096])
            .output("y", 1, 4096)
            .build();
    EngineLimits tight = new EngineLimits(8192, 2L << 20, Duration.ofSeconds(10));
    try (StrictModel model =
        ENGINE.load(m2, new EngineLimits(1L << 20, 4L << 20, Duration.ofSeconds(10)))) {
      assertThat(model.outputs()).hasSize(1);
    }
    assertThatThrownBy(() -> ENGINE.load(m2, tight))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("'w'");
    try (StrictModel model =
        ENGINE.load(m2, new EngineLimits(1L << 20, (1L << 20) + 8192, Duration.ofSeconds(10)))) {
      assertThatThrownBy(
              () ->
                  model.run(
                      Map.of("x", Tensor.ofFloats(new long[] {1, 64}, new float[64])),
                      RunOptions.DEFAULT))
          .isInstanceOf(InferenceException.class)
          .hasMessageContaining("'mm'")
          .hasMessageContaining("over the total limit");
    }
  }

  @Test
  void deadline_cancelsRunWithClearError() throws Exception {
    byte[] bytes = Files.readAllBytes(TestFiles.model("onnx-light/light_squeezenet.onnx"));
    try (StrictModel m =
        ENGINE.load(bytes, new EngineLimits(1L << 30, 4L << 30, Duration.ofMillis(5)))) {
      Tensor x = Tensor.ofFloats(new long[] {1, 3, 224, 224}, new float[3 * 224 * 224]);
      assertThatThrownBy(() -> m.run(Map.of(m.inputs().get(0).name(), x), RunOptions.DEFAULT))
          .isInstanceOf(InferenceException.class)
          .hasMessageContaining("deadline");
    }
  }

  @Test
  void wrongInputs_areNamed() throws Exception {
    try (StrictModel m = load(OnnxBuilder.goldenModel())) {
      assertThatThrownBy(() -> m.run(Map.of(), RunOptions.DEFAULT))
          .hasMessageContaining("missing input 'x'");
      assertThatThrownBy(
              () ->
                  m.run(
                      Map.of("x", Tensor.ofFloats(new long[] {1, 3}, new float[3])),
                      RunOptions.DEFAULT))
          .hasMessageContaining("dimension 1 must be 2");
      assertThatThrownBy(
              () ->
                  m.run(
                      Map.of("x", Tensor.ofLongs(new long[] {1, 2}, new long[2])),
                      RunOptions.DEFAULT))
          .hasMessageContaining("must be FLOAT32");
    }
  }

  /**
   * Mutated squeezenet bytes (constant folding runs ConstantOfShape at load) load or fail cleanly.
   */
  @Property(tries = 60)
  void fuzz_mutatedSqueezenet_loadOnlyThrowsModelLoadException(@ForAll long seed) throws Exception {
    byte[] b = Files.readAllBytes(TestFiles.model("onnx-light/light_squeezenet.onnx"));
    Random r = new Random(seed);
    for (int i = 0, n = 1 + r.nextInt(4); i < n; i++) {
      b[r.nextInt(b.length)] = (byte) r.nextInt(256);
    }
    EngineLimits limits = new EngineLimits(64L << 20, 512L << 20, Duration.ofSeconds(5));
    try (StrictModel m = ENGINE.load(b, limits)) {
      assertThat(m.outputs()).isNotNull();
    } catch (ModelLoadException expected) {
      assertThat(expected.getMessage()).isNotBlank();
    }
  }

  /** Mutated real model bytes either load and run, or fail with the engine's checked errors. */
  @Property(tries = 150)
  void fuzz_mutatedMnist_onlyCheckedExceptions(@ForAll long seed) throws Exception {
    byte[] base = Files.readAllBytes(TestFiles.model("mnist/mnist-7.onnx"));
    Random r = new Random(seed);
    byte[] b = base.clone();
    int edits = 1 + r.nextInt(6);
    for (int i = 0; i < edits; i++) {
      switch (r.nextInt(4)) {
        case 0 -> b[r.nextInt(b.length)] = (byte) r.nextInt(256);
        case 1 -> b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
        case 2 -> b = java.util.Arrays.copyOf(b, Math.max(1, r.nextInt(b.length)));
        default -> {
          int at = r.nextInt(b.length);
          b[at] = (byte) 0xff;
          if (at + 1 < b.length) {
            b[at + 1] = (byte) 0xff;
          }
        }
      }
    }
    EngineLimits limits = new EngineLimits(64L << 20, 256L << 20, Duration.ofSeconds(5));
    try (StrictModel m = ENGINE.load(b, limits)) {
      if (!m.inputs().isEmpty() && m.inputs().get(0).type() == dev.verity.engine.DataType.FLOAT32) {
        Tensor x = Tensor.ofFloats(new long[] {1, 1, 28, 28}, new float[784]);
        try {
          m.run(Map.of(m.inputs().get(0).name(), x), RunOptions.DEFAULT);
        } catch (InferenceException expected) {
          assertThat(expected.getMessage()).isNotBlank();
        }
      }
    } catch (ModelLoadException expected) {
      assertThat(expected.getMessage()).isNotBlank();
    }
  }
}
