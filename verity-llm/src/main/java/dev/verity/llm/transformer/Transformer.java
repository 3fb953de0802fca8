package dev.verity.llm.transformer;

import java.util.Objects;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Llama-2 forward pass in float32 under the rules of docs/ARITHMETIC.md: every operation is an
 * IEEE-754 float operation (no fused multiply-add), every reduction runs in index order, and exp,
 * sqrt, pow, cos and sin come from {@link StrictMath} evaluated in double and rounded once to
 * float. The weights are shared and immutable; all mutable state is in {@link RunState}.
 */
public final class Transformer {
  private static final VectorSpecies<Float> S = PackedMatrix.SPECIES;
  private static final VectorSpecies<Float> H1 = FloatVector.SPECIES_512;
  private static final VectorSpecies<Float> H2 = FloatVector.SPECIES_256;

  private final LlamaConfig config;
  private final LlamaWeights weights;
  private final MatvecExecutor matvec;
  private final float[] ropeFreq;
  private final float attentionScale;

  /** With {@link Kernels#SCALAR} every step uses plain scalar loops: the reference path. */
  private final boolean reference;

  /** Receives the residual stream after each layer at each position (the trace leaves). */
  @FunctionalInterface
  public interface LayerObserver {
    /** {@code activation} holds {@code dim} floats; it is reused after the call returns. */
    void onLayerOutput(int position, int layer, float[] activation);
  }

  public Transformer(LlamaConfig config, LlamaWeights weights, MatvecExecutor matvec) {
    this.config = Objects.requireNonNull(config, "config");
    this.weights = Objects.requireNonNull(weights, "weights");
    this.matvec = Objects.requireNonNull(matvec, "matvec");
    weights.checkShapes(config);
    int hs = config.headSize();
    ropeFreq = new float[hs / 2];
    for (int i = 0; i < hs; i += 2) {
      // freq = 1 / theta^(i / head_size), the exponent a float quotient, the power rounded once.
      float exponent = i / (float) hs;
      float p = (float) StrictMath.pow((double) config.ropeTheta(), (double) exponent);
      ropeFreq[i / 2] = 1.0f / p;
    }
    attentionScale = (float) StrictMath.sqrt((double) hs);
    reference = matvec.kernels() == Kernels.SCALAR;
  }

  public LlamaConfig config() {
    return config;
  }

  public LlamaWeights weights() {
    return weights;
  }

  public MatvecExecutor executor() {
    return matvec;
  }

  /**
   * Runs {@code token} at {@code pos}, filling the key/value cache for pos. When {@code logits} is
   * true the classifier output is left in {@link RunState#logits()}.
   */
  public void forward(RunState s, int token, int pos, boolean logits, LayerObserver observer) {
    LlamaConfig c = config;
    if (token < 0 || token >= c.vocabSize()) {
      throw new IllegalArgumentException(
          "token " + token + " is outside the vocabulary of " + c.vocabSize());
    }
    if (pos < 0 || pos >= s.positions) {
      throw new IllegalArgumentException(
          "position " + pos + " is outside the context of " + s.positions);
    }
    weights.tokenEmbedding().copyRow(token, s.x, 0);
    rope(s, pos);
    for (int l = 0; l < c.nLayers(); l++) {
      layer(s, l, pos);
      if (observer != null) {
        observer.onLayerOutput(pos, l, s.x);
      }
    }
    if (logits) {
      rmsnorm(s.x, s.x, weights.rmsFinal(), c.rmsEps());
      matvec.matvec(weights.classifier(), s.x, s.logits, 0);
    }
  }

  /**
   * Re-executes one (position, layer) step on its own: {@code inputs[t]} is the residual stream
   * entering layer {@code layer} at position t for t = 0..pos (the committed outputs of layer-1, or
   * the token embeddings for layer 0). Keys and values of earlier positions are recomputed from
   * those inputs. Returns the layer's output at {@code pos}.
   */
  public float[] reexecuteLayer(int layer, float[][] inputs) {
    LlamaConfig c = config;
    if (layer < 0 || layer >= c.nLayers()) {
      throw new IllegalArgumentException("layer " + layer + " is outside 0.." + (c.nLayers() - 1));
    }
    int pos = inputs.length - 1;
    if (pos < 0 || pos >= c.seqLen()) {
      throw new IllegalArgumentException(
          "re-execution needs 1.." + c.seqLen() + " input activations, got " + inputs.length);
    }
    RunState s = new RunState(c, pos + 1);
    for (int t = 0; t <= pos; t++) {
      if (inputs[t].length != c.dim()) {
        throw new IllegalArgumentException(
            "input activation " + t + " has " + inputs[t].length + " floats, expected " + c.dim());
      }
      System.arraycopy(inputs[t], 0, s.x, 0, c.dim());
      rope(s, t);
      if (t < pos) {
        keyValue(s, layer, t);
      } else {
        layer(s, layer, t);
      }
    }
    return s.x.clone();
  }

  /**
   * The classifier head on its own: final RMSNorm of {@code activation} (the last layer's output)
   * and the classifier, as the end of {@link #forward}. Returns new logits.
   */
  public float[] head(float[] activation) {
    if (activation.length != config.dim()) {
      throw new IllegalArgumentException(
          "activation has " + activation.length + " floats, expected " + config.dim());
    }
    float[] x = new float[config.dim()];
    rmsnorm(x, activation, weights.rmsFinal(), config.rmsEps());
    float[] logits = new float[config.vocabSize()];
    matvec.matvec(weights.classifier(), x, logits, 0);
    return logits;
  }

  /** Token embedding row, the input of layer 0. */
  public float[] embedding(int token) {
    float[] out = new float[config.dim()];
    weights.tokenEmbedding().copyRow(token, out, 0);
    return out;
  }

  private void rope(RunState s, int pos) {
    float fpos = (float) pos;
    for (int j = 0; j < ropeFreq.length; j++) {
      float val = fpos * ropeFreq[j];
      s.ropeCos[j] = (float) StrictMath.cos((double) val);
      s.ropeSin[j] = (float) StrictMath.sin((double) val);
    }
  }

  /** Computes and caches the key and value of layer {@code l} at {@code pos} from s.x. */
  private void keyValue(RunState s, int l, int pos) {
    LlamaConfig c = config;
    LlamaWeights.Layer w = weights.layers().get(l);
    int kvDim = c.kvDim();
    int hs = c.headSize();
    int positions = s.positions;
    rmsnorm(s.xb, s.x, w.rmsAtt(), c.rmsEps());
    matvec.matvec(w.wk(), s.xb, s.k, 0);
    matvec.matvec(w.wv(), s.xb, s.valueCache, (l * positions + pos) * kvDim);
    rotate(s, s.k, 0, kvDim);
    // Keys are stored transposed so attention scores can take vector lanes across positions.
    float[] k = s.k;
    float[] kc = s.keyCache;
    int base = l * kvDim * positions + pos;
    for (int j = 0; j < kvDim; j++) {
      kc[base + j * positions] = k[j];
    }
  }

  private void rotate(RunState s, float[] v, int off, int len) {
    int hs = config.headSize();
    float[] cos = s.ropeCos;
    float[] sin = s.ropeSin;
    for (int i = 0; i < len; i += 2) {
      int j = (i % hs) >> 1;
      float fcr = cos[j];
      float fci = sin[j];
      float v0 = v[off + i];
      float v1 = v[off + i + 1];
      v[off + i] = v0 * fcr - v1 * fci;
      v[off + i + 1] = v0 * fci + v1 * fcr;
    }
  }

  private void layer(RunState s, int l, int pos) {
    LlamaConfig c = config;
    LlamaWeights.Layer w = weights.layers().get(l);
    int dim = c.dim();
    int hs = c.headSize();
    int kvDim = c.kvDim();
    int kvMul = c.kvMul();
    int positions = s.positions;

    keyValue(s, l, pos);
    // keyValue normalised s.x into s.xb already; the query uses the same normalised input.
    matvec.matvec(w.wq(), s.xb, s.q, 0);
    rotate(s, s.q, 0, dim);

    int valueBase = l * positions * kvDim;
    int keyBase = l * kvDim * positions;
    float[] kc = s.keyCache;
    float[] vc = s.valueCache;
    float[] att = s.att;
    float[] q = s.q;
    float[] xb = s.xb;
    for (int h = 0; h < c.nHeads(); h++) {
      int qOff = h * hs;
      int headOff = (h / kvMul) * hs;
      scores(q, qOff, kc, keyBase + headOff * positions, positions, hs, pos, att);
      softmax(att, pos + 1, reference);
      weightedValues(att, pos, vc, valueBase + headOff, kvDim, xb, h * hs, hs);
    }
    matvec.matvec(w.wo(), xb, s.xb2, 0);
    float[] x = s.x;
    float[] xb2 = s.xb2;
    for (int i = 0; i < dim; i++) {
      x[i] += xb2[i];
    }

    rmsnorm(xb, x, w.rmsFfn(), c.rmsEps());
    matvec.matvec(w.w1(), xb, s.hb, 0);
    matvec.matvec(w.w3(), xb, s.hb2, 0);
    float[] hb = s.hb;
    float[] hb2 = s.hb2;
    float[] e = s.hbNeg;
    int hidden = c.hiddenDim();
    for (int i = 0; i < hidden; i++) {
      e[i] = -hb[i];
    }
    exp(e, hidden, reference);
    for (int i = 0; i < hidden; i++) {
      float val = hb[i];
      val *= (1.0f / (1.0f + e[i]));
      val *= hb2[i];
      hb[i] = val;
    }
    matvec.matvec(w.w2(), hb, xb, 0);
    for (int i = 0; i < dim; i++) {
      x[i] += xb[i];
    }
  }

  /**
   * {@code att[t] = (Σ_i q[i]·k_t[i]) / sqrt(head_size)} for t = 0..pos, each sum in i order. Keys
   * are transposed ({@code k_t[i]} at {@code kBase + i·stride + t}), so vector lanes run across
   * positions t, which leaves every sum's order unchanged.
   */
  private void scores(
      float[] q, int qOff, float[] kc, int kBase, int stride, int hs, int pos, float[] att) {
    int n = pos + 1;
    int lanes = S.length();
    int t = 0;
    for (; !reference && t + lanes <= n; t += lanes) {
      FloatVector acc = FloatVector.zero(S);
      for (int i = 0; i < hs; i++) {
        acc = acc.add(FloatVector.fromArray(S, kc, kBase + i * stride + t).mul(q[qOff + i]));
      }
      acc.div(attentionScale).intoArray(att, t);
    }
    for (; t < n; t++) {
      float score = 0f;
      for (int i = 0; i < hs; i++) {
        score += q[qOff + i] * kc[kBase + i * stride + t];
      }
      att[t] = score / attentionScale;
    }
  }

  /**
   * {@code out[i] = Σ_t att[t]·v_t[i]} for t = 0..pos in order, each i independent; vector lanes
   * run across i, which leaves every sum's order unchanged.
   */
  private void weightedValues(
      float[] att, int pos, float[] vc, int base, int kvDim, float[] out, int outOff, int hs) {
    int i = 0;
    // Species must be compile-time constants for the vector intrinsics, hence one loop each.
    if (!reference && H1.length() <= S.length() && hs % H1.length() == 0) {
      for (; i < hs; i += H1.length()) {
        FloatVector acc = FloatVector.zero(H1);
        for (int t = 0; t <= pos; t++) {
          acc = acc.add(FloatVector.fromArray(H1, vc, base + t * kvDim + i).mul(att[t]));
        }
        acc.intoArray(out, outOff + i);
      }
    } else if (!reference && H2.length() <= S.length() && hs % H2.length() == 0) {
      for (; i < hs; i += H2.length()) {
        FloatVector acc = FloatVector.zero(H2);
        for (int t = 0; t <= pos; t++) {
          acc = acc.add(FloatVector.fromArray(H2, vc, base + t * kvDim + i).mul(att[t]));
        }
        acc.intoArray(out, outOff + i);
      }
    }
    for (; i < hs; i++) {
      float acc = 0f;
      for (int t = 0; t <= pos; t++) {
        acc += att[t] * vc[base + t * kvDim + i];
      }
      out[outOff + i] = acc;
    }
  }

  /** {@code o = weight ⊙ (x / sqrt(mean(x²) + eps))} with the sum of squares in index order. */
  static void rmsnorm(float[] o, float[] x, float[] weight, float eps) {
    int n = weight.length;
    float ss = 0f;
    for (int j = 0; j < n; j++) {
      ss += x[j] * x[j];
    }
    ss /= (float) n;
    ss += eps;
    ss = 1.0f / (float) StrictMath.sqrt((double) ss);
    for (int j = 0; j < n; j++) {
      o[j] = weight[j] * (ss * x[j]);
    }
  }

  /**
   * In-place softmax of {@code x[0..n)}: the max in index order (first wins), then {@code exp(x[i]
   * - max)}, their sum in index order, and a division of each by the sum.
   */
  public static void softmax(float[] x, int n) {
    softmax(x, n, false);
  }

  /** {@link #softmax(float[], int)}, with scalar {@link StrictMath#exp} when {@code scalar}. */
  public static void softmax(float[] x, int n, boolean scalar) {
    float max = x[0];
    for (int i = 1; i < n; i++) {
      if (x[i] > max) {
        max = x[i];
      }
    }
    for (int i = 0; i < n; i++) {
      x[i] = x[i] - max;
    }
    exp(x, n, scalar);
    float sum = 0f;
    for (int i = 0; i < n; i++) {
      sum += x[i];
    }
    for (int i = 0; i < n; i++) {
      x[i] /= sum;
    }
  }

  private static void exp(float[] a, int n, boolean scalar) {
    if (scalar) {
      for (int i = 0; i < n; i++) {
        a[i] = (float) StrictMath.exp((double) a[i]);
      }
    } else {
      StrictExp.expInPlace(a, 0, n);
    }
  }
}
