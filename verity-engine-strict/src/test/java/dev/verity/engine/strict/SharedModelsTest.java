package dev.verity.engine.strict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.verity.engine.EngineLimits;
import dev.verity.engine.InferenceResult;
import dev.verity.engine.RunOptions;
import dev.verity.engine.Tensor;
import dev.verity.engine.strict.onnx.OnnxParser;
import dev.verity.engine.strict.ops.Nd;
import java.io.DataInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Real models from the shared directory against their reference outputs. */
class SharedModelsTest {
  /** A fixed pseudo-random image in [0, 1): the light models' weights are constants. */
  static float[] image(int n, long seed) {
    float[] x = new float[n];
    long s = seed;
    for (int i = 0; i < n; i++) {
      s = s * 6364136223846793005L + 1442695040888963407L;
      x[i] = (s >>> 40) / (float) (1 << 24);
    }
    return x;
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
  void lightModel_matchesReferenceOutput_andIsThreadInvariant(String name) throws Exception {
    Path dir = TestFiles.model("onnx-light");
    assumeTrue(Files.isDirectory(dir), "shared models missing");
    Nd want =
        OnnxParser.parseTensor(Files.readAllBytes(dir.resolve(name + "_output_0.pb")), 1 << 30);
    Map<String, Tensor> in = null;
    Tensor first = null;
    for (int threads : new int[] {2, 1}) {
      try (StrictModel m =
          new StrictEngine(new StrictConfig(threads, true))
              .load(Files.readAllBytes(dir.resolve(name + ".onnx")), EngineLimits.DEFAULT)) {
        if (in == null) {
          in =
              Map.of(
                  m.inputs().get(0).name(),
                  Tensor.ofFloats(new long[] {1, 3, 224, 224}, image(3 * 224 * 224, 7)));
        }
        InferenceResult r = m.run(in, RunOptions.DEFAULT);
        Tensor out = r.outputs().values().iterator().next();
        assertThat(OnnxConformanceTest.compare(want, Nd.fromTensor(out))).isNull();
        if (first == null) {
          first = out;
        } else {
          assertThat(out.digest()).isEqualTo(first.digest());
        }
      }
    }
  }

  /**
   * Array recycling is off while tracing, and the scalar engine shares no kernel code with the
   * packed vector GEMM: both must reproduce the fast run's output bits.
   */
  @ParameterizedTest
  @ValueSource(strings = {"light_squeezenet", "light_resnet50"})
  void lightModel_tracedAndScalarRuns_matchFastRunBits(String name) throws Exception {
    Path file = TestFiles.model("onnx-light/" + name + ".onnx");
    assumeTrue(Files.exists(file), "shared models missing");
    byte[] bytes = Files.readAllBytes(file);
    Tensor x = Tensor.ofFloats(new long[] {1, 3, 224, 224}, image(3 * 224 * 224, 11));
    try (StrictModel fast =
        new StrictEngine(new StrictConfig(2, true)).load(bytes, EngineLimits.DEFAULT)) {
      Map<String, Tensor> in = Map.of(fast.inputs().get(0).name(), x);
      Tensor plain = fast.run(in, RunOptions.DEFAULT).outputs().values().iterator().next();
      InferenceResult traced = fast.run(in, RunOptions.WITH_TRACE);
      assertThat(traced.outputs().values().iterator().next().digest()).isEqualTo(plain.digest());
      assertThat(traced.trace().orElseThrow().leafCount()).isGreaterThanOrEqualTo(fast.nodeCount());
      if (name.equals("light_squeezenet")) {
        try (StrictModel scalar =
            new StrictEngine(new StrictConfig(1, false)).load(bytes, EngineLimits.DEFAULT)) {
          InferenceResult s = scalar.run(in, RunOptions.WITH_TRACE);
          assertThat(s.outputs().values().iterator().next().digest()).isEqualTo(plain.digest());
          assertThat(s.trace().orElseThrow().root()).isEqualTo(traced.trace().orElseThrow().root());
        }
      }
    }
  }

  @Test
  void mnist7_classifiesTestImages_andIsBitIdenticalAcrossPaths() throws Exception {
    Path model = TestFiles.model("mnist/mnist-7.onnx");
    Path images = TestFiles.shared().resolve("datasets/mnist/t10k-images-idx3-ubyte.gz");
    Path labels = TestFiles.shared().resolve("datasets/mnist/t10k-labels-idx1-ubyte.gz");
    assumeTrue(Files.exists(model) && Files.exists(images), "mnist missing");
    int n = 500;
    byte[] px;
    byte[] lb;
    try (InputStream is = new GZIPInputStream(Files.newInputStream(images));
        DataInputStream d = new DataInputStream(is)) {
      d.readInt();
      d.readInt();
      d.readInt();
      d.readInt();
      px = d.readNBytes(n * 784);
    }
    try (InputStream is = new GZIPInputStream(Files.newInputStream(labels));
        DataInputStream d = new DataInputStream(is)) {
      d.readInt();
      d.readInt();
      lb = d.readNBytes(n);
    }
    byte[] bytes = Files.readAllBytes(model);
    int correct = 0;
    try (StrictModel fast =
            new StrictEngine(new StrictConfig(2, true)).load(bytes, EngineLimits.DEFAULT);
        StrictModel scalar =
            new StrictEngine(new StrictConfig(1, false)).load(bytes, EngineLimits.DEFAULT)) {
      String input = fast.inputs().get(0).name();
      for (int i = 0; i < n; i++) {
        float[] x = new float[784];
        for (int j = 0; j < 784; j++) {
          x[j] = px[i * 784 + j] & 0xff;
        }
        Map<String, Tensor> in = Map.of(input, Tensor.ofFloats(new long[] {1, 1, 28, 28}, x));
        Tensor a = fast.run(in, RunOptions.DEFAULT).outputs().values().iterator().next();
        if (i < 50) {
          Tensor b = scalar.run(in, RunOptions.DEFAULT).outputs().values().iterator().next();
          assertThat(a).isEqualTo(b);
        }
        float[] logits = a.toFloats();
        int best = 0;
        for (int k = 1; k < 10; k++) {
          if (logits[k] > logits[best]) {
            best = k;
          }
        }
        correct += best == lb[i] ? 1 : 0;
      }
    }
    System.out.println(
        "mnist-7 strict: " + correct + "/" + n + " correct on the first test images");
    assertThat(correct).isGreaterThanOrEqualTo(n * 97 / 100);
  }
}
