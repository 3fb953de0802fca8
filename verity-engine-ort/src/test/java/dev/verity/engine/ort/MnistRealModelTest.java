package dev.verity.engine.ort;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verity.engine.EngineLimits;
import dev.verity.engine.InferenceEngine;
import dev.verity.engine.LoadedModel;
import dev.verity.engine.RunOptions;
import dev.verity.engine.Tensor;
import dev.verity.engine.dataset.MnistIdx;
import dev.verity.engine.strict.StrictConfig;
import dev.verity.engine.strict.StrictEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real-model check across engines: all 10,000 MNIST test images through mnist-7.onnx (raw 0–255
 * pixels) on the strict engine and on ONNX Runtime, comparing accuracy, predictions and logits, and
 * the strict engine against itself across thread counts and its scalar path.
 */
class MnistRealModelTest {
  static final int REFERENCE_CORRECT = 9_891;
  static final int MIN_CORRECT = 9_880;
  private static final String IN = "Input3";
  private static final String OUT = "Plus214_Output_0";
  private static final int SAMPLE = 300;

  private static MnistIdx.Images images;
  private static MnistIdx.Labels labels;

  @BeforeAll
  static void readDataset() throws Exception {
    images = MnistIdx.readImages(Shared.mnistImages());
    labels = MnistIdx.readLabels(Shared.mnistLabels());
  }

  /** Logits of every test image, computed on {@code threads} images at a time. */
  static float[][] allLogits(InferenceEngine engine, int threads) throws Exception {
    int n = images.count();
    float[][] logits = new float[n][];
    try (LoadedModel model = engine.load(Shared.mnistModel(), EngineLimits.DEFAULT);
        ExecutorService pool = Executors.newFixedThreadPool(threads)) {
      List<Future<?>> parts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int first = t;
        parts.add(
            pool.submit(
                () -> {
                  for (int i = first; i < n; i += threads) {
                    Tensor out =
                        model
                            .run(Map.of(IN, images.tensor(i)), RunOptions.DEFAULT)
                            .outputs()
                            .get(OUT);
                    logits[i] = out.toFloats();
                  }
                  return null;
                }));
      }
      for (Future<?> f : parts) {
        f.get();
      }
    }
    return logits;
  }

  static int correct(float[][] logits) {
    int c = 0;
    for (int i = 0; i < logits.length; i++) {
      c += OrtEngineTest.argmax(logits[i]) == labels.label(i) ? 1 : 0;
    }
    return c;
  }

  @Test
  void strictAndOrt_allTestImages_agreeWithReferenceAndEachOther() throws Exception {
    long t0 = System.nanoTime();
    float[][] strict = allLogits(new StrictEngine(new StrictConfig(1, true)), 2);
    long t1 = System.nanoTime();
    float[][] ort = allLogits(new OrtEngine(), 2);
    long t2 = System.nanoTime();
    int strictOk = correct(strict);
    int ortOk = correct(ort);
    int differing = 0;
    double maxAbs = 0;
    double maxLogit = 0;
    double scaled = 0; // max |s-o| / max_j |s_j| per image: what stol must cover
    for (int i = 0; i < strict.length; i++) {
      differing += OrtEngineTest.argmax(strict[i]) != OrtEngineTest.argmax(ort[i]) ? 1 : 0;
      for (int j = 0; j < strict[i].length; j++) {
        double d = Math.abs((double) strict[i][j] - ort[i][j]);
        maxAbs = Math.max(maxAbs, d);
        maxLogit = Math.max(maxLogit, Math.abs(strict[i][j]));
        float top = 0;
        for (float v : strict[i]) {
          top = Math.max(top, Math.abs(v));
        }
        scaled = Math.max(scaled, d / top);
      }
    }
    System.out.printf(
        "MNIST mnist-7, 10000 test images: strict %d/10000 correct (%.1f s), ort %d/10000 correct"
            + " (%.1f s), float64 reference %d; predictions differing between engines: %d;"
            + " max |logit diff| %.3g (max |logit| %.4g); max |diff| / max |logit| per image %.3g%n",
        strictOk,
        (t1 - t0) / 1e9,
        ortOk,
        (t2 - t1) / 1e9,
        REFERENCE_CORRECT,
        differing,
        maxAbs,
        maxLogit,
        scaled);
    assertThat(strictOk).isBetween(MIN_CORRECT, 9_900);
    assertThat(ortOk).isBetween(MIN_CORRECT, 9_900);
    assertThat(differing).isLessThanOrEqualTo(3);
    // The published audit threshold must accept every honest ORT result against strict.
    for (int i = 0; i < strict.length; i++) {
      OrtTolerance.DEFAULT.verify(
          Tensor.ofFloats(new long[] {1, 10}, strict[i]),
          Tensor.ofFloats(new long[] {1, 10}, ort[i]));
    }
  }

  @Test
  void strict_sampleOfImages_bitIdenticalAcrossThreadsAndScalarPath() throws Exception {
    StrictEngine one = new StrictEngine(new StrictConfig(1, true));
    StrictEngine many = new StrictEngine(new StrictConfig(4, true));
    StrictEngine scalar = new StrictEngine(new StrictConfig(1, false));
    try (LoadedModel m1 = one.load(Shared.mnistModel(), EngineLimits.DEFAULT);
        LoadedModel mN = many.load(Shared.mnistModel(), EngineLimits.DEFAULT);
        LoadedModel ms = scalar.load(Shared.mnistModel(), EngineLimits.DEFAULT)) {
      for (int i = 0; i < SAMPLE; i++) {
        Map<String, Tensor> in = Map.of(IN, images.tensor(i * 33));
        Tensor a = m1.run(in, RunOptions.DEFAULT).outputs().get(OUT);
        assertThat(mN.run(in, RunOptions.DEFAULT).outputs().get(OUT))
            .as("image %d, 4 threads vs 1", i * 33)
            .isEqualTo(a);
        assertThat(ms.run(in, RunOptions.DEFAULT).outputs().get(OUT))
            .as("image %d, scalar vs vectorized", i * 33)
            .isEqualTo(a);
      }
    }
    System.out.printf(
        "strict mnist-7: %d images bit-identical at 1 and 4 threads and on the scalar path%n",
        SAMPLE);
  }
}
