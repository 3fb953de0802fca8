package dev.verity.engine.ort;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verity.engine.EngineLimits;
import dev.verity.engine.InferenceEngine;
import dev.verity.engine.LoadedModel;
import dev.verity.engine.RunOptions;
import dev.verity.engine.Tensor;
import dev.verity.engine.dataset.MnistIdx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * All 10,000 MNIST test images through mnist-7.onnx with raw 0–255 pixels, as the model expects. A
 * float64 reference run classifies 9,891 correctly; a float32 engine may differ by a few images.
 */
class MnistRealModelTest {
  static final int REFERENCE_CORRECT = 9_891;
  static final int MIN_CORRECT = 9_880;
  private static final String IN = "Input3";
  private static final String OUT = "Plus214_Output_0";

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
  void ort_allTestImages_accuracyMatchesReference() throws Exception {
    long start = System.nanoTime();
    float[][] logits = allLogits(new OrtEngine(), 2);
    int ok = correct(logits);
    System.out.printf(
        "MNIST mnist-7 on ort (%s): %d/10000 correct (float64 reference %d) in %.1f s%n",
        new OrtEngine().info().config().get("ort.graph_optimization_level"),
        ok,
        REFERENCE_CORRECT,
        (System.nanoTime() - start) / 1e9);
    assertThat(ok).isBetween(MIN_CORRECT, REFERENCE_CORRECT + 9);
  }
}
