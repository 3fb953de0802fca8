package dev.verity.llm.transformer;

import java.util.List;
import java.util.Objects;

/**
 * The weights of a Llama-2 model, packed for {@link Kernels}. Immutable after construction and
 * shared by all requests.
 *
 * @param tokenEmbedding {@code vocab × dim}, one row per token; the same object as {@code
 *     classifier} when the classifier is shared, so shared models hold it once
 * @param layers one entry per transformer block
 * @param rmsFinal final RMSNorm weight ({@code dim})
 * @param classifier {@code vocab × dim}; equal to the embedding when the classifier is shared
 */
public record LlamaWeights(
    PackedMatrix tokenEmbedding, List<Layer> layers, float[] rmsFinal, PackedMatrix classifier) {

  /**
   * One block. Matrices map an input of {@code cols} to an output of {@code rows}: wq {@code dim →
   * dim}, wk and wv {@code dim → kvDim}, wo {@code dim → dim}, w1 and w3 {@code dim → hidden}, w2
   * {@code hidden → dim}.
   */
  public record Layer(
      float[] rmsAtt,
      PackedMatrix wq,
      PackedMatrix wk,
      PackedMatrix wv,
      PackedMatrix wo,
      float[] rmsFfn,
      PackedMatrix w1,
      PackedMatrix w2,
      PackedMatrix w3) {
    public Layer {
      Objects.requireNonNull(rmsAtt, "rmsAtt");
      Objects.requireNonNull(wq, "wq");
      Objects.requireNonNull(wk, "wk");
      Objects.requireNonNull(wv, "wv");
      Objects.requireNonNull(wo, "wo");
      Objects.requireNonNull(rmsFfn, "rmsFfn");
      Objects.requireNonNull(w1, "w1");
      Objects.requireNonNull(w2, "w2");
      Objects.requireNonNull(w3, "w3");
    }
  }

  public LlamaWeights {
    Objects.requireNonNull(tokenEmbedding, "tokenEmbedding");
    layers = List.copyOf(layers);
    Objects.requireNonNull(rmsFinal, "rmsFinal");
    Objects.requireNonNull(classifier, "classifier");
  }

  /** Throws if any tensor's shape disagrees with {@code c}, naming the tensor. */
  public void checkShapes(LlamaConfig c) {
    shape("token embedding", tokenEmbedding, c.vocabSize(), c.dim());
    expect("final norm", rmsFinal.length, c.dim());
    shape("classifier", classifier, c.vocabSize(), c.dim());
    if (layers.size() != c.nLayers()) {
      throw new IllegalArgumentException(
          "model has " + layers.size() + " layers, config says " + c.nLayers());
    }
    for (int l = 0; l < layers.size(); l++) {
      Layer y = layers.get(l);
      String p = "layer " + l + " ";
      expect(p + "attention norm", y.rmsAtt().length, c.dim());
      expect(p + "ffn norm", y.rmsFfn().length, c.dim());
      shape(p + "wq", y.wq(), c.dim(), c.dim());
      shape(p + "wk", y.wk(), c.kvDim(), c.dim());
      shape(p + "wv", y.wv(), c.kvDim(), c.dim());
      shape(p + "wo", y.wo(), c.dim(), c.dim());
      shape(p + "w1", y.w1(), c.hiddenDim(), c.dim());
      shape(p + "w2", y.w2(), c.dim(), c.hiddenDim());
      shape(p + "w3", y.w3(), c.hiddenDim(), c.dim());
    }
  }

  private static void expect(String what, long actual, long expected) {
    if (actual != expected) {
      throw new IllegalArgumentException(
          what + " has " + actual + " elements, expected " + expected);
    }
  }

  private static void shape(String what, PackedMatrix m, int rows, int cols) {
    if (m.rows() != rows || m.cols() != cols) {
      throw new IllegalArgumentException(
          what + " is " + m.rows() + "x" + m.cols() + ", expected " + rows + "x" + cols);
    }
  }
}
