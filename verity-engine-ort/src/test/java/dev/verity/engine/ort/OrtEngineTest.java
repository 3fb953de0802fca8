package dev.verity.engine.ort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import dev.verity.engine.DataType;
import dev.verity.engine.EngineLimits;
import dev.verity.engine.InferenceException;
import dev.verity.engine.InferenceResult;
import dev.verity.engine.LoadedModel;
import dev.verity.engine.ModelLoadException;
import dev.verity.engine.NumericMode;
import dev.verity.engine.RunOptions;
import dev.verity.engine.Tensor;
import dev.verity.engine.TensorSpec;
import dev.verity.engine.dataset.MnistIdx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OrtEngineTest {
  private static final OrtEngine ENGINE = new OrtEngine();
  private static final String MNIST_IN = "Input3";
  private static final String MNIST_OUT = "Plus214_Output_0";
  private static MnistIdx.Images images;
  private static MnistIdx.Labels labels;
  private static LoadedModel mnist;

  @TempDir Path dir;

  @BeforeAll
  static void loadMnist() throws Exception {
    images = MnistIdx.readImages(Shared.mnistImages());
    labels = MnistIdx.readLabels(Shared.mnistLabels());
    mnist = ENGINE.load(Shared.mnistModel(), EngineLimits.DEFAULT);
  }

  @AfterAll
  static void close() {
    mnist.close();
  }

  static int argmax(float[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) {
      if (v[i] > v[best]) {
        best = i;
      }
    }
    return best;
  }

  @Test
  void info_recordsPinnedConfiguration() {
    assertThat(ENGINE.info().id()).isEqualTo("ort");
    assertThat(ENGINE.info().version()).isEqualTo(OrtConfig.PINNED_ORT_VERSION).isEqualTo("1.29.0");
    assertThat(ENGINE.info().numericMode()).isEqualTo(NumericMode.TOLERANCE);
    assertThat(ENGINE.info().config())
        .containsEntry("ort.version", "1.29.0")
        .containsEntry("ort.graph_optimization_level", "ORT_ENABLE_ALL")
        .containsEntry("ort.intra_op_threads", "1")
        .containsEntry("ort.inter_op_threads", "1")
        .containsEntry("ort.execution_mode", "ORT_SEQUENTIAL")
        .containsEntry("ort.execution_provider", "CPUExecutionProvider")
        .containsEntry("ort.cpu_arena", "true")
        .containsKey("host.cpu_features");
  }

  @Test
  void info_changedSettings_appearInConfig() {
    OrtEngine e =
        new OrtEngine(
            OrtConfig.DEFAULT.withIntraOpThreads(2).withOptimizationLevel(OptLevel.BASIC_OPT));
    assertThat(e.info().config())
        .containsEntry("ort.intra_op_threads", "2")
        .containsEntry("ort.graph_optimization_level", "ORT_ENABLE_BASIC");
    assertThat(e.info()).isNotEqualTo(ENGINE.info());
  }

  @Test
  void config_zeroThreads_refused() {
    assertThatThrownBy(() -> OrtConfig.DEFAULT.withIntraOpThreads(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("intraOpThreads");
  }

  @Test
  void load_mnist_declaresInputAndOutput() {
    assertThat(mnist.inputs())
        .containsExactly(
            new TensorSpec(
                MNIST_IN, DataType.FLOAT32, List.of(1L, 1L, 28L, 28L), List.of("", "", "", "")));
    assertThat(mnist.outputs()).hasSize(1);
    assertThat(mnist.outputs().getFirst().name()).isEqualTo(MNIST_OUT);
    assertThat(mnist.outputs().getFirst().dims()).containsExactly(1L, 10L);
  }

  @Test
  void run_mnistFirstTestDigits_classifiedAsLabelled() throws InferenceException {
    int correct = 0;
    for (int i = 0; i < 20; i++) {
      InferenceResult r = mnist.run(Map.of(MNIST_IN, images.tensor(i)), RunOptions.DEFAULT);
      Tensor out = r.outputs().get(MNIST_OUT);
      assertThat(out.shape()).containsExactly(1, 10);
      assertThat(r.trace()).isEmpty();
      correct += argmax(out.toFloats()) == labels.label(i) ? 1 : 0;
    }
    // The first test image is a 7; mnist-7 gets all of the first twenty right.
    assertThat(
            argmax(
                mnist
                    .run(Map.of(MNIST_IN, images.tensor(0)), RunOptions.DEFAULT)
                    .outputs()
                    .get(MNIST_OUT)
                    .toFloats()))
        .isEqualTo(7);
    assertThat(correct).isEqualTo(20);
  }

  @Test
  void run_sameInputTwiceAndConcurrently_sameBits() throws Exception {
    Tensor in = images.tensor(3);
    Tensor first = mnist.run(Map.of(MNIST_IN, in), RunOptions.DEFAULT).outputs().get(MNIST_OUT);
    try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
      List<Future<Tensor>> results =
          java.util.stream.IntStream.range(0, 8)
              .mapToObj(
                  i ->
                      pool.submit(
                          () ->
                              mnist
                                  .run(Map.of(MNIST_IN, in), RunOptions.DEFAULT)
                                  .outputs()
                                  .get(MNIST_OUT)))
              .toList();
      for (Future<Tensor> f : results) {
        assertThat(f.get()).isEqualTo(first);
      }
    }
  }

  @Test
  void run_unknownInputName_namesIt() {
    assertThatThrownBy(
            () ->
                mnist.run(
                    Map.of(MNIST_IN, images.tensor(0), "Extra", images.tensor(1)),
                    RunOptions.DEFAULT))
        .isInstanceOf(InferenceException.class)
        .hasMessageContaining("unknown input 'Extra'")
        .hasMessageContaining(MNIST_IN);
  }

  @Test
  void run_missingInput_namesIt() {
    assertThatThrownBy(() -> mnist.run(Map.of(), RunOptions.DEFAULT))
        .isInstanceOf(InferenceException.class)
        .hasMessageContaining("missing input 'Input3'");
  }

  @Test
  void run_wrongElementType_namesBothTypes() {
    Tensor longs = Tensor.ofLongs(new long[] {1, 1, 28, 28}, new long[784]);
    assertThatThrownBy(() -> mnist.run(Map.of(MNIST_IN, longs), RunOptions.DEFAULT))
        .isInstanceOf(InferenceException.class)
        .hasMessageContaining("element type INT64")
        .hasMessageContaining("declares FLOAT32");
  }

  @Test
  void run_wrongRank_namesRanks() {
    Tensor flat = Tensor.ofFloats(new long[] {784}, new float[784]);
    assertThatThrownBy(() -> mnist.run(Map.of(MNIST_IN, flat), RunOptions.DEFAULT))
        .isInstanceOf(InferenceException.class)
        .hasMessageContaining("rank 1")
        .hasMessageContaining("declares rank 4");
  }

  @Test
  void run_wrongDimension_namesDimension() {
    Tensor wide = Tensor.ofFloats(new long[] {1, 1, 28, 29}, new float[28 * 29]);
    assertThatThrownBy(() -> mnist.run(Map.of(MNIST_IN, wide), RunOptions.DEFAULT))
        .isInstanceOf(InferenceException.class)
        .hasMessageContaining("dimension 3 = 29")
        .hasMessageContaining("[1, 1, 28, 28]");
  }

  @Test
  void run_traceRequested_refusedBecauseOrtCannotCommit() {
    assertThatThrownBy(() -> mnist.run(Map.of(MNIST_IN, images.tensor(0)), RunOptions.WITH_TRACE))
        .isInstanceOf(InferenceException.class)
        .hasMessageContaining("cannot commit to a trace");
  }

  @Test
  void run_afterClose_refused() throws ModelLoadException {
    LoadedModel m = ENGINE.load(Shared.mnistModel(), EngineLimits.DEFAULT);
    m.close();
    m.close(); // idempotent
    assertThatThrownBy(() -> m.run(Map.of(MNIST_IN, images.tensor(0)), RunOptions.DEFAULT))
        .isInstanceOf(InferenceException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void load_missingFile_namesPath() {
    Path missing = dir.resolve("no-such-model.onnx");
    assertThatThrownBy(() -> ENGINE.load(missing, EngineLimits.DEFAULT))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("no-such-model.onnx")
        .hasMessageContaining("does not exist");
  }

  @Test
  void load_garbageFile_refusedWithOrtReason() throws IOException {
    Path junk = Files.write(dir.resolve("junk.onnx"), "this is not a protobuf model".getBytes());
    assertThatThrownBy(() -> ENGINE.load(junk, EngineLimits.DEFAULT))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("cannot load model")
        .hasMessageContaining("junk.onnx");
  }

  @Test
  void load_unknownOperator_namesOperator() throws IOException {
    Path m = TinyOnnx.singleNode(dir, "bad-op.onnx", "NoSuchOperator", 1, List.of(2L), 13);
    assertThatThrownBy(() -> ENGINE.load(m, EngineLimits.DEFAULT))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("NoSuchOperator");
  }

  @Test
  void load_externalDataInsideModelDir_loads() throws Exception {
    Path modelDir = Files.createDirectories(dir.resolve("model"));
    Files.write(modelDir.resolve("w.bin"), littleEndianFloats(5, 6, 7, 8));
    Path m = TinyOnnx.externalInitializer(modelDir, "ext.onnx", "w.bin");
    try (LoadedModel model = ENGINE.load(m, EngineLimits.DEFAULT)) {
      assertThat(model.run(Map.of(), RunOptions.DEFAULT).outputs().get("y").toFloats())
          .containsExactly(5f, 6f, 7f, 8f);
    }
  }

  @Test
  void load_externalDataEscapingModelDir_refused() throws Exception {
    Path modelDir = Files.createDirectories(dir.resolve("model"));
    Files.write(dir.resolve("secret.bin"), littleEndianFloats(1, 2, 3, 4));
    Path dotdot = TinyOnnx.externalInitializer(modelDir, "dotdot.onnx", "../secret.bin");
    assertThatThrownBy(() -> ENGINE.load(dotdot, EngineLimits.DEFAULT))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("escapes model directory");
    Path absolute =
        TinyOnnx.externalInitializer(
            modelDir, "absolute.onnx", dir.resolve("secret.bin").toString());
    assertThatThrownBy(() -> ENGINE.load(absolute, EngineLimits.DEFAULT))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("Absolute path not allowed");
    Files.createSymbolicLink(modelDir.resolve("link.bin"), dir.resolve("secret.bin"));
    Path link = TinyOnnx.externalInitializer(modelDir, "link.onnx", "link.bin");
    assertThatThrownBy(() -> ENGINE.load(link, EngineLimits.DEFAULT))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("escapes model directory");
  }

  private static byte[] littleEndianFloats(float... v) {
    java.nio.ByteBuffer b =
        java.nio.ByteBuffer.allocate(v.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (float f : v) {
      b.putFloat(f);
    }
    return b.array();
  }

  @Test
  void load_modelLargerThanBudget_refused() {
    EngineLimits tiny = new EngineLimits(1024, 1024, Duration.ofSeconds(10));
    assertThatThrownBy(() -> ENGINE.load(Shared.mnistModel(), tiny))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("26454 bytes, over the memory budget of 1024");
  }

  @Test
  void load_declaredInputOverTensorLimit_refused() throws IOException {
    Path m = TinyOnnx.singleNode(dir, "big.onnx", "Identity", 1, List.of(100_000L, 100_000L), 13);
    EngineLimits limits = new EngineLimits(1 << 20, 1 << 24, Duration.ofSeconds(10));
    assertThatThrownBy(() -> ENGINE.load(m, limits))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("input 'x'")
        .hasMessageContaining("over the per-tensor limit");
  }

  @Test
  void load_stringInput_refusedAsUncarriable() throws IOException {
    Path m = TinyOnnx.singleNode(dir, "strings.onnx", "Identity", 8, List.of(2L), 13);
    assertThatThrownBy(() -> ENGINE.load(m, EngineLimits.DEFAULT))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("input 'x'")
        .hasMessageContaining("cannot carry");
  }

  @Test
  void run_symbolicInputOverTensorLimit_refusedBeforeOrtAllocates() throws Exception {
    Path m = TinyOnnx.singleNode(dir, "sym.onnx", "Identity", 1, List.of("N", 4L), 13);
    EngineLimits limits = new EngineLimits(1024, 1 << 20, Duration.ofSeconds(10));
    try (LoadedModel model = ENGINE.load(m, limits)) {
      assertThat(model.inputs().getFirst().dims()).containsExactly(-1L, 4L);
      assertThat(model.inputs().getFirst().dimNames().getFirst()).isEqualTo("N");
      Tensor ok = Tensor.ofFloats(new long[] {64, 4}, new float[256]);
      assertThat(model.run(Map.of("x", ok), RunOptions.DEFAULT).outputs().get("y")).isEqualTo(ok);
      Tensor big = Tensor.ofFloats(new long[] {65, 4}, new float[260]);
      assertThatThrownBy(() -> model.run(Map.of("x", big), RunOptions.DEFAULT))
          .isInstanceOf(InferenceException.class)
          .hasMessageContaining("1040 bytes, over the per-tensor limit of 1024");
    }
  }

  @Test
  void run_identityOnEveryCarriedType_roundTripsExactBits() throws Exception {
    Random rnd = new Random(42);
    for (DataType type :
        List.of(
            DataType.FLOAT32,
            DataType.FLOAT64,
            DataType.FLOAT16,
            DataType.INT8,
            DataType.UINT8,
            DataType.INT16,
            DataType.INT32,
            DataType.INT64,
            DataType.BOOL)) {
      Path m =
          TinyOnnx.singleNode(
              dir, "id-" + type + ".onnx", "Identity", type.onnxCode(), List.of(3L, 5L), 13);
      byte[] data = new byte[15 * type.byteSize()];
      rnd.nextBytes(data);
      if (type == DataType.BOOL) {
        for (int i = 0; i < data.length; i++) {
          data[i] = (byte) (data[i] & 1);
        }
      }
      if (type == DataType.FLOAT32) {
        // A NaN with a payload and a negative zero must come back bit for bit.
        java.nio.ByteBuffer.wrap(data)
            .order(java.nio.ByteOrder.LITTLE_ENDIAN)
            .putInt(0, 0x7fc12345)
            .putInt(4, 0x80000000);
      }
      Tensor in = Tensor.ofBytes(type, new long[] {3, 5}, data);
      try (LoadedModel model = ENGINE.load(m, EngineLimits.DEFAULT)) {
        assertThat(model.inputs().getFirst().type()).isEqualTo(type);
        Tensor out = model.run(Map.of("x", in), RunOptions.DEFAULT).outputs().get("y");
        assertThat(out).as("identity on %s", type).isEqualTo(in);
      }
    }
  }

  @Test
  void run_uint16Input_refusedAsNotPassable() throws Exception {
    Path m = TinyOnnx.singleNode(dir, "u16.onnx", "Identity", 4, List.of(2L), 13);
    try (LoadedModel model = ENGINE.load(m, EngineLimits.DEFAULT)) {
      Tensor in = Tensor.ofBytes(DataType.UINT16, new long[] {2}, new byte[4]);
      assertThatThrownBy(() -> model.run(Map.of("x", in), RunOptions.DEFAULT))
          .isInstanceOf(InferenceException.class)
          .hasMessageContaining("UINT16")
          .hasMessageContaining("cannot pass");
    }
  }

  @Test
  void run_pastDeadline_terminated() throws Exception {
    EngineLimits limits = new EngineLimits(1L << 30, 4L << 30, Duration.ofMillis(1));
    try (LoadedModel model = ENGINE.load(Shared.light("vgg19"), limits)) {
      TensorSpec in = model.inputs().getFirst();
      long[] shape = in.dims().stream().mapToLong(Long::longValue).toArray();
      Tensor x = Tensor.ofFloats(shape, new float[(int) Tensor.elementCount(shape)]);
      assertThatThrownBy(() -> model.run(Map.of(in.name(), x), RunOptions.DEFAULT))
          .isInstanceOf(InferenceException.class)
          .hasMessageContaining("deadline of PT0.001S");
    }
  }
}
