package dev.verity.engine.strict.ops;

import java.util.Arrays;

/** Shape helpers: broadcasting, strides, axis normalisation. */
public final class Shapes {
  private Shapes() {}

  public static int[] broadcast(int[] a, int[] b) {
    int r = Math.max(a.length, b.length);
    int[] out = new int[r];
    for (int i = 0; i < r; i++) {
      int da = i - (r - a.length) >= 0 ? a[i - (r - a.length)] : 1;
      int db = i - (r - b.length) >= 0 ? b[i - (r - b.length)] : 1;
      if (da != db && da != 1 && db != 1) {
        throw new RunFailure(
            "shapes " + Arrays.toString(a) + " and " + Arrays.toString(b) + " do not broadcast");
      }
      out[i] = da == 1 ? db : da;
    }
    return out;
  }

  /** Strides of {@code shape} aligned to {@code out}'s rank, 0 where broadcast. */
  public static int[] bstrides(int[] shape, int[] out) {
    int[] s = new int[out.length];
    int stride = 1;
    for (int i = out.length - 1; i >= 0; i--) {
      int j = i - (out.length - shape.length);
      if (j >= 0) {
        s[i] = shape[j] == 1 ? 0 : stride;
        stride *= shape[j];
      }
    }
    return s;
  }

  public static int[] strides(int[] shape) {
    int[] s = new int[shape.length];
    int stride = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      s[i] = stride;
      stride *= shape[i];
    }
    return s;
  }

  public static int axis(long axis, int rank, String what) {
    long a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank) {
      throw new RunFailure(what + " axis " + axis + " out of range for rank " + rank);
    }
    return (int) a;
  }

  public static int size(int[] shape, int from, int to) {
    long n = 1;
    for (int i = from; i < to; i++) {
      n *= shape[i];
    }
    return Math.toIntExact(n);
  }

  public static int[] ints(long[] v, String what) {
    int[] out = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      if (v[i] < Integer.MIN_VALUE || v[i] > Integer.MAX_VALUE) {
        throw new RunFailure(what + " value " + v[i] + " out of range");
      }
      out[i] = (int) v[i];
    }
    return out;
  }

  /** Reads an integer tensor's values (for shape, axes, pads inputs). */
  public static long[] longs(Nd t) {
    long[] out = new long[t.size];
    for (int i = 0; i < t.size; i++) {
      out[i] = t.getLong(i);
    }
    return out;
  }

  /**
   * Computes, for each output index, the offset into each input under broadcasting, by walking an
   * odometer; calls {@code body} with (outIndex, aOffset, bOffset) in row-major order.
   */
  public static void walk2(int[] out, int[] sa, int[] sb, Walk2 body) {
    int r = out.length;
    int n = Math.toIntExact(Nd.count(out));
    if (n == 0) {
      return;
    }
    int[] idx = new int[r];
    int ia = 0;
    int ib = 0;
    for (int o = 0; o < n; o++) {
      body.at(o, ia, ib);
      for (int d = r - 1; d >= 0; d--) {
        idx[d]++;
        ia += sa[d];
        ib += sb[d];
        if (idx[d] < out[d]) {
          break;
        }
        ia -= sa[d] * out[d];
        ib -= sb[d] * out[d];
        idx[d] = 0;
      }
    }
  }

  @FunctionalInterface
  public interface Walk2 {
    void at(int o, int a, int b);
  }
}
