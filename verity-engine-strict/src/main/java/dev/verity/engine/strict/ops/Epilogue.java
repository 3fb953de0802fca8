package dev.verity.engine.strict.ops;

/**
 * Element-wise steps that follow a convolution and are applied to each output tile while it is in
 * cache: an inference BatchNormalization ({@code y = x * scale[c] + shift[c]}, the same two float32
 * operations {@link Reduce#batchNorm} performs) and then Relu ({@code Math.max(y, +0.0f)}). Each
 * element sees exactly the operations of the separate nodes, in the same order, so fusing never
 * changes bits. Used only when no trace is committed (a trace needs every node's output).
 */
public record Epilogue(float[] scale, float[] shift, boolean relu) {
  /** Applies the steps to rows [0, rows) × columns [0, w) of {@code c} at {@code pos}. */
  void apply(float[] c, int pos, int ldc, int rows, int w, int channel) {
    for (int r = 0; r < rows; r++) {
      int p = pos + r * ldc;
      if (scale != null) {
        float a = scale[channel + r];
        float b = shift[channel + r];
        for (int j = 0; j < w; j++) {
          c[p + j] = c[p + j] * a + b;
        }
      }
      if (relu) {
        for (int j = 0; j < w; j++) {
          c[p + j] = Math.max(c[p + j], 0.0f);
        }
      }
    }
  }

  /** BatchNormalization's per-channel multiplier and shift, computed as in {@link Reduce}. */
  public static Epilogue batchNorm(Nd scale, Nd bias, Nd mean, Nd var, float eps, boolean relu) {
    int c = scale.size;
    float[] a = new float[c];
    float[] b = new float[c];
    for (int i = 0; i < c; i++) {
      a[i] = scale.f[i] / (float) StrictMath.sqrt(var.f[i] + eps);
      b[i] = bias.f[i] - mean.f[i] * a[i];
    }
    return new Epilogue(a, b, relu);
  }

  public static Epilogue reluOnly() {
    return new Epilogue(null, null, true);
  }
}
