package dev.verity.llm.transformer;

/**
 * Hyperparameters of a Llama-2-architecture transformer.
 *
 * @param dim width of the residual stream
 * @param hiddenDim width of the SwiGLU feed-forward layer
 * @param nLayers number of transformer blocks
 * @param nHeads number of query heads
 * @param nKvHeads number of key/value heads (fewer than {@code nHeads} means grouped-query
 *     attention)
 * @param vocabSize number of tokens
 * @param seqLen largest context the model was built for (positions 0..seqLen-1)
 * @param ropeTheta RoPE frequency base (10000 for Llama 2)
 * @param rmsEps epsilon added to the mean square in RMSNorm
 * @param sharedClassifier whether the classifier reuses the token embedding table
 */
public record LlamaConfig(
    int dim,
    int hiddenDim,
    int nLayers,
    int nHeads,
    int nKvHeads,
    int vocabSize,
    int seqLen,
    float ropeTheta,
    float rmsEps,
    boolean sharedClassifier) {

  /** Upper bounds that keep every weight tensor inside one Java array and loading predictable. */
  public static final int MAX_DIM = 1 << 16;

  public static final int MAX_LAYERS = 1024;
  public static final int MAX_VOCAB = 1 << 20;
  public static final int MAX_SEQ_LEN = 1 << 20;

  public LlamaConfig {
    positive("dim", dim, MAX_DIM);
    positive("hidden_dim", hiddenDim, 4 * MAX_DIM);
    positive("n_layers", nLayers, MAX_LAYERS);
    positive("n_heads", nHeads, dim);
    positive("n_kv_heads", nKvHeads, nHeads);
    positive("vocab_size", vocabSize, MAX_VOCAB);
    positive("seq_len", seqLen, MAX_SEQ_LEN);
    if (dim % nHeads != 0) {
      throw new IllegalArgumentException("dim " + dim + " is not a multiple of n_heads " + nHeads);
    }
    if (nHeads % nKvHeads != 0) {
      throw new IllegalArgumentException(
          "n_heads " + nHeads + " is not a multiple of n_kv_heads " + nKvHeads);
    }
    if ((dim / nHeads) % 2 != 0) {
      throw new IllegalArgumentException("head size " + dim / nHeads + " must be even for RoPE");
    }
    if (!(ropeTheta > 0f) || Float.isInfinite(ropeTheta)) {
      throw new IllegalArgumentException("rope theta must be positive and finite: " + ropeTheta);
    }
    if (!(rmsEps > 0f) || Float.isInfinite(rmsEps)) {
      throw new IllegalArgumentException("rms epsilon must be positive and finite: " + rmsEps);
    }
    long largest =
        Math.max(
            (long) vocabSize * dim,
            Math.max((long) hiddenDim * dim, (long) seqLen * nLayers * (dim / nHeads) * nKvHeads));
    if (largest > Integer.MAX_VALUE - 64) {
      throw new IllegalArgumentException(
          "a tensor of this model would have "
              + largest
              + " elements, over the limit of one array");
    }
  }

  private static void positive(String name, int value, int max) {
    if (value <= 0 || value > max) {
      throw new IllegalArgumentException(name + " must be in 1.." + max + ", got " + value);
    }
  }

  /** The same hyperparameters with the classifier shared or separate. */
  public LlamaConfig withShared(boolean shared) {
    return new LlamaConfig(
        dim, hiddenDim, nLayers, nHeads, nKvHeads, vocabSize, seqLen, ropeTheta, rmsEps, shared);
  }

  public int headSize() {
    return dim / nHeads;
  }

  public int kvDim() {
    return dim / nHeads * nKvHeads;
  }

  /** Query heads per key/value head. */
  public int kvMul() {
    return nHeads / nKvHeads;
  }

  /** Number of float parameters, counting a shared classifier once. */
  public long parameterCount() {
    long perLayer = 2L * dim + 2L * dim * dim + 2L * dim * kvDim() + 3L * dim * hiddenDim;
    long n = (long) vocabSize * dim + nLayers * perLayer + dim;
    return sharedClassifier ? n : n + (long) vocabSize * dim;
  }
}
