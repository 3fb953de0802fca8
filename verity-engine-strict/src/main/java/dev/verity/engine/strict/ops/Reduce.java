package dev.verity.engine.strict.ops;

import dev.verity.engine.DataType;

/**
 * Reductions and normalisations. Every sum is sequential in increasing flat index over the reduced
 * axes, starting from {@code +0.0f}; means divide the finished sum by the count.
 */
public final class Reduce {
  private Reduce() {}

  /** Reduce kinds. */
  public enum Kind {
    SUM,
    MEAN,
    MAX,
    MIN,
    PROD,
    SUM_SQUARE,
    L1,
    L2,
    LOG_SUM,
    LOG_SUM_EXP
  }

  public static Nd reduce(Nd x, Kind kind, int[] axesIn, boolean keep, ExecContext ctx) {
    int r = x.rank();
    boolean[] red = new boolean[r];
    if (axesIn == null) {
      java.util.Arrays.fill(red, true);
    } else {
      for (int a : axesIn) {
        red[Shapes.axis(a, r, ctx.where())] = true;
      }
    }
    int[] outShape;
    int nk = 0;
    for (boolean b : red) {
      nk += b ? 0 : 1;
    }
    outShape = new int[keep ? r : nk];
    int[] outFull = new int[r];
    for (int i = 0, j = 0; i < r; i++) {
      outFull[i] = red[i] ? 1 : x.shape[i];
      if (keep) {
        outShape[i] = outFull[i];
      } else if (!red[i]) {
        outShape[j++] = x.shape[i];
      }
    }
    DataType t = x.type;
    Nd out = ctx.newTensor(t, outShape);
    int outN = out.size;
    int[] ostr = Shapes.bstrides(outFull, x.shape);
    int count = outN == 0 ? 0 : x.size / Math.max(1, outN);
    double[] acc = new double[outN];
    float[] facc = new float[outN];
    long[] lacc = new long[outN];
    boolean isF = t == DataType.FLOAT32;
    boolean[] started = new boolean[outN];
    // Walk the input in row-major order; each output accumulates its inputs in increasing index.
    int[] idx = new int[r];
    int o = 0;
    for (int i = 0; i < x.size; i++) {
      if (isF) {
        float v = x.f[i];
        float a = facc[o];
        facc[o] =
            switch (kind) {
              case SUM, MEAN -> a + v;
              case SUM_SQUARE -> a + v * v;
              case L1 -> a + Math.abs(v);
              case L2 -> a + v * v;
              case LOG_SUM -> a + v;
              case LOG_SUM_EXP -> a + (float) StrictMath.exp(v);
              case PROD -> started[o] ? a * v : v;
              case MAX -> !started[o] ? v : maxNaN(a, v);
              case MIN -> !started[o] ? v : minNaN(a, v);
            };
      } else if (t == DataType.FLOAT64) {
        double v = x.d[i];
        double a = acc[o];
        acc[o] =
            switch (kind) {
              case SUM, MEAN, LOG_SUM -> a + v;
              case SUM_SQUARE, L2 -> a + v * v;
              case L1 -> a + Math.abs(v);
              case LOG_SUM_EXP -> a + StrictMath.exp(v);
              case PROD -> started[o] ? a * v : v;
              case MAX -> !started[o] || v > a || Double.isNaN(v) ? v : a;
              case MIN -> !started[o] || v < a || Double.isNaN(v) ? v : a;
            };
      } else {
        long v = x.l[i];
        long a = lacc[o];
        lacc[o] =
            switch (kind) {
              case SUM, MEAN, LOG_SUM -> a + v;
              case SUM_SQUARE, L2 -> a + v * v;
              case L1 -> a + Math.abs(v);
              case PROD -> started[o] ? a * v : v;
              case MAX -> !started[o] || v > a ? v : a;
              case MIN -> !started[o] || v < a ? v : a;
              case LOG_SUM_EXP -> throw new RunFailure("ReduceLogSumExp on integers");
            };
      }
      started[o] = true;
      for (int d = r - 1; d >= 0; d--) {
        o += ostr[d];
        if (++idx[d] < x.shape[d]) {
          break;
        }
        o -= ostr[d] * x.shape[d];
        idx[d] = 0;
      }
    }
    for (int i = 0; i < outN; i++) {
      if (isF) {
        float a = facc[i];
        out.f[i] =
            switch (kind) {
              case MEAN -> a / count;
              case L2 -> (float) StrictMath.sqrt(a);
              case LOG_SUM, LOG_SUM_EXP -> (float) StrictMath.log(a);
              case MAX -> started[i] ? a : Float.NEGATIVE_INFINITY;
              case MIN -> started[i] ? a : Float.POSITIVE_INFINITY;
              case PROD -> started[i] ? a : 1.0f;
              default -> a;
            };
      } else if (t == DataType.FLOAT64) {
        double a = acc[i];
        out.d[i] =
            switch (kind) {
              case MEAN -> a / count;
              case L2 -> StrictMath.sqrt(a);
              case LOG_SUM, LOG_SUM_EXP -> StrictMath.log(a);
              case PROD -> started[i] ? a : 1.0;
              default -> a;
            };
      } else {
        long a = lacc[i];
        out.l[i] =
            Nd.wrap(
                t,
                switch (kind) {
                  case MEAN -> count == 0 ? 0 : a / count;
                  case L2 -> (long) StrictMath.sqrt((double) a);
                  case PROD -> started[i] ? a : 1;
                  case MAX -> started[i] ? a : Long.MIN_VALUE;
                  case MIN -> started[i] ? a : Long.MAX_VALUE;
                  default -> a;
                });
      }
    }
    return out;
  }

  /** Maximum that propagates NaN: once NaN, the result stays NaN. */
  static float maxNaN(float a, float v) {
    return Float.isNaN(a) ? a : Float.isNaN(v) ? v : v > a ? v : a;
  }

  static float minNaN(float a, float v) {
    return Float.isNaN(a) ? a : Float.isNaN(v) ? v : v < a ? v : a;
  }

  /**
   * Softmax / LogSoftmax over rows of length {@code inner} (the shape is viewed as [outer, len,
   * inner] with the reduced axis in the middle). Per row: {@code m = max} (NaN-propagating), {@code
   * e_i = exp(x_i - m)}, {@code s = +0.0f + e_0 + e_1 + ...} in order; softmax {@code e_i / s};
   * log-softmax {@code (x_i - m) - log(s)}.
   */
  public static Nd softmax(Nd x, int outer, int len, int inner, boolean log, ExecContext ctx) {
    if (x.type != DataType.FLOAT32) {
      throw new RunFailure(ctx.where() + ": softmax supports float32 only, got " + x.type);
    }
    Nd y = ctx.newFloats(x.shape);
    float[] in = x.f;
    float[] out = y.f;
    ctx.parallelFor(
        outer,
        Math.max(1, 4096 / Math.max(1, len * inner)),
        (o0, o1) -> {
          for (int o = o0; o < o1; o++) {
            for (int j = 0; j < inner; j++) {
              int base = o * len * inner + j;
              float m = Float.NEGATIVE_INFINITY;
              for (int i = 0; i < len; i++) {
                float v = in[base + i * inner];
                if (v > m || Float.isNaN(v)) {
                  m = v;
                  if (Float.isNaN(v)) {
                    break;
                  }
                }
              }
              float s = 0.0f;
              for (int i = 0; i < len; i++) {
                float e = (float) StrictMath.exp(in[base + i * inner] - m);
                out[base + i * inner] = e;
                s = s + e;
              }
              if (log) {
                float ls = (float) StrictMath.log(s);
                for (int i = 0; i < len; i++) {
                  out[base + i * inner] = (in[base + i * inner] - m) - ls;
                }
              } else {
                for (int i = 0; i < len; i++) {
                  out[base + i * inner] = out[base + i * inner] / s;
                }
              }
            }
          }
        });
    return y;
  }

  /**
   * BatchNormalization (inference): per channel {@code a = scale / sqrt(var + eps)} and {@code b =
   * bias - mean * a} in float32, then {@code y = x * a + b}.
   */
  public static Nd batchNorm(Nd x, Nd scale, Nd bias, Nd mean, Nd var, float eps, ExecContext ctx) {
    Nd y = ctx.newFloatsOverwritten(x.shape);
    int n = x.shape[0];
    int c = x.rank() > 1 ? x.shape[1] : 1;
    int plane = Shapes.size(x.shape, Math.min(2, x.rank()), x.rank());
    float[] a = new float[c];
    float[] b = new float[c];
    for (int i = 0; i < c; i++) {
      a[i] = scale.f[i] / (float) StrictMath.sqrt(var.f[i] + eps);
      b[i] = bias.f[i] - mean.f[i] * a[i];
    }
    ctx.parallelFor(
        n * c,
        Math.max(1, 32768 / Math.max(1, plane)),
        (p0, p1) -> {
          for (int p = p0; p < p1; p++) {
            float av = a[p % c];
            float bv = b[p % c];
            int off = p * plane;
            for (int i = 0; i < plane; i++) {
              y.f[off + i] = x.f[off + i] * av + bv;
            }
          }
        });
    return y;
  }

  /**
   * LayerNormalization over the trailing axes from {@code axis}: {@code mean = (+0.0f + x_0 + ...)
   * / n}, {@code d_i = x_i - mean}, {@code var = (+0.0f + d_0*d_0 + ...) / n}, {@code inv = 1 /
   * sqrt(var + eps)}, {@code y_i = d_i * inv * scale_i + bias_i}. Returns Y, Mean, InvStdDev.
   */
  public static Nd[] layerNorm(Nd x, Nd scale, Nd bias, int axis, float eps, ExecContext ctx) {
    int outer = Shapes.size(x.shape, 0, axis);
    int n = Shapes.size(x.shape, axis, x.rank());
    Nd y = ctx.newFloats(x.shape);
    int[] statShape = x.shape.clone();
    for (int i = axis; i < statShape.length; i++) {
      statShape[i] = 1;
    }
    Nd meanOut = ctx.newFloats(statShape);
    Nd invOut = ctx.newFloats(statShape);
    for (int o = 0; o < outer; o++) {
      int base = o * n;
      float s = 0.0f;
      for (int i = 0; i < n; i++) {
        s = s + x.f[base + i];
      }
      float mean = s / n;
      float v = 0.0f;
      for (int i = 0; i < n; i++) {
        float d = x.f[base + i] - mean;
        v = v + d * d;
      }
      v = v / n;
      float inv = 1.0f / (float) StrictMath.sqrt(v + eps);
      for (int i = 0; i < n; i++) {
        float d = x.f[base + i] - mean;
        float r = d * inv * scale.f[scale.size == n ? i : i % scale.size];
        y.f[base + i] = bias == null ? r : r + bias.f[bias.size == n ? i : i % bias.size];
      }
      meanOut.f[o] = mean;
      invOut.f[o] = inv;
    }
    return new Nd[] {y, meanOut, invOut};
  }

  /**
   * LRN across channels: {@code sq = +0.0f + x_{c-lo}^2 + ... + x_{c+hi}^2} in increasing channel
   * order; {@code y = x / pow(bias + alpha / size * sq, beta)} with the pow in float64 rounded to
   * float32.
   */
  public static Nd lrn(Nd x, float alpha, float beta, float bias, int size, ExecContext ctx) {
    Nd y = ctx.newFloats(x.shape);
    int n = x.shape[0];
    int c = x.shape[1];
    int plane = Shapes.size(x.shape, 2, x.rank());
    int lo = (size - 1) / 2;
    int hi = size - 1 - lo;
    float aOverN = alpha / size;
    ctx.parallelFor(
        n * c,
        1,
        (p0, p1) -> {
          for (int p = p0; p < p1; p++) {
            int b = p / c;
            int ch = p % c;
            int c0 = Math.max(0, ch - lo);
            int c1 = Math.min(c - 1, ch + hi);
            for (int i = 0; i < plane; i++) {
              float sq = 0.0f;
              for (int k = c0; k <= c1; k++) {
                float v = x.f[(b * c + k) * plane + i];
                sq = sq + v * v;
              }
              float den = (float) StrictMath.pow(bias + aOverN * sq, beta);
              y.f[p * plane + i] = x.f[p * plane + i] / den;
            }
          }
        });
    return y;
  }
}
