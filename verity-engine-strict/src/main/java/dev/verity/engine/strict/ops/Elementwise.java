package dev.verity.engine.strict.ops;

import dev.verity.engine.DataType;

/**
 * Element-wise operators with numpy broadcasting. Every float32 result is one IEEE-754 operation on
 * float32 operands, except the transcendental functions, which are evaluated in float64 with {@link
 * StrictMath} from the float32 input and rounded once to float32.
 */
public final class Elementwise {
  private Elementwise() {}

  /** Binary float/double/integer arithmetic selector. */
  public enum Bin {
    ADD,
    SUB,
    MUL,
    DIV,
    POW,
    MIN,
    MAX,
    MOD,
    FMOD
  }

  static float f(Bin op, float x, float y) {
    return switch (op) {
      case ADD -> x + y;
      case SUB -> x - y;
      case MUL -> x * y;
      case DIV -> x / y;
      case POW -> (float) StrictMath.pow(x, y);
      case MIN -> Float.isNaN(x) || Float.isNaN(y) ? Float.NaN : Math.min(x, y);
      case MAX -> Float.isNaN(x) || Float.isNaN(y) ? Float.NaN : Math.max(x, y);
      case FMOD -> x % y;
      case MOD -> {
        float r = x % y;
        yield (r != 0 && ((r < 0) != (y < 0))) ? r + y : r;
      }
    };
  }

  static double d(Bin op, double x, double y) {
    return switch (op) {
      case ADD -> x + y;
      case SUB -> x - y;
      case MUL -> x * y;
      case DIV -> x / y;
      case POW -> StrictMath.pow(x, y);
      case MIN -> Double.isNaN(x) || Double.isNaN(y) ? Double.NaN : Math.min(x, y);
      case MAX -> Double.isNaN(x) || Double.isNaN(y) ? Double.NaN : Math.max(x, y);
      case FMOD -> x % y;
      case MOD -> {
        double r = x % y;
        yield (r != 0 && ((r < 0) != (y < 0))) ? r + y : r;
      }
    };
  }

  static long l(Bin op, long x, long y, boolean unsigned) {
    return switch (op) {
      case ADD -> x + y;
      case SUB -> x - y;
      case MUL -> x * y;
      case DIV -> {
        if (y == 0) {
          throw new RunFailure("integer division by zero");
        }
        yield unsigned ? Long.divideUnsigned(x, y) : x / y;
      }
      case POW -> {
        long r = 1;
        for (long e = y; e > 0; e--) {
          r *= x;
        }
        yield y < 0 ? 0 : r;
      }
      case MIN -> unsigned ? (Long.compareUnsigned(x, y) <= 0 ? x : y) : Math.min(x, y);
      case MAX -> unsigned ? (Long.compareUnsigned(x, y) >= 0 ? x : y) : Math.max(x, y);
      case FMOD -> {
        if (y == 0) {
          throw new RunFailure("integer modulo by zero");
        }
        yield x % y;
      }
      case MOD -> {
        if (y == 0) {
          throw new RunFailure("integer modulo by zero");
        }
        yield Math.floorMod(x, y);
      }
    };
  }

  static boolean unsignedType(DataType t) {
    return t == DataType.UINT8
        || t == DataType.UINT16
        || t == DataType.UINT32
        || t == DataType.UINT64;
  }

  /** Broadcasting binary op; the result has {@code a}'s type (Pow keeps the base type). */
  public static Nd binary(Bin op, Nd a, Nd b, ExecContext ctx) {
    if (a.type != b.type && op != Bin.POW) {
      throw new RunFailure("operand types differ: " + a.type + " and " + b.type);
    }
    int[] shape = Shapes.broadcast(a.shape, b.shape);
    // Every float32 branch below writes all elements, so a recycled array is safe.
    Nd out =
        a.type == DataType.FLOAT32 && b.type == DataType.FLOAT32
            ? ctx.newFloatsOverwritten(shape)
            : ctx.newTensor(a.type, shape);
    if (out.size == 0) {
      return out;
    }
    if (a.type == DataType.FLOAT32 && b.type == DataType.FLOAT32) {
      float[] x = a.f;
      float[] y = b.f;
      float[] z = out.f;
      if (a.size == out.size && b.size == out.size) {
        switch (op) {
          case ADD -> {
            for (int i = 0; i < z.length; i++) {
              z[i] = x[i] + y[i];
            }
          }
          case MUL -> {
            for (int i = 0; i < z.length; i++) {
              z[i] = x[i] * y[i];
            }
          }
          default -> {
            for (int i = 0; i < z.length; i++) {
              z[i] = f(op, x[i], y[i]);
            }
          }
        }
        return out;
      }
      if (b.size == 1) {
        float v = y[0];
        for (int i = 0; i < z.length; i++) {
          z[i] = f(op, x[i], v);
        }
        return out;
      }
      int inner = blockInner(b.shape, shape);
      if (a.size == out.size && inner > 0) {
        // b is constant over runs of `inner` elements (a per-channel bias, for example).
        int bs = b.size;
        for (int blk = 0, o = 0; o < z.length; blk++) {
          float v = y[blk % bs];
          for (int e = 0; e < inner; e++, o++) {
            z[o] = f(op, x[o], v);
          }
        }
        return out;
      }
      Shapes.walk2(
          shape,
          Shapes.bstrides(a.shape, shape),
          Shapes.bstrides(b.shape, shape),
          (o, ia, ib) -> z[o] = f(op, x[ia], y[ib]));
      return out;
    }
    int[] sa = Shapes.bstrides(a.shape, shape);
    int[] sb = Shapes.bstrides(b.shape, shape);
    switch (a.type) {
      case FLOAT32 -> {
        float[] z = out.f;
        Shapes.walk2(shape, sa, sb, (o, ia, ib) -> z[o] = f(op, a.f[ia], (float) b.getDouble(ib)));
      }
      case FLOAT64 -> {
        double[] z = out.d;
        Shapes.walk2(shape, sa, sb, (o, ia, ib) -> z[o] = d(op, a.d[ia], b.getDouble(ib)));
      }
      default -> {
        long[] z = out.l;
        boolean u = unsignedType(a.type);
        DataType t = a.type;
        if (op == Bin.POW && !Nd.isIntegral(b.type)) {
          Shapes.walk2(
              shape,
              sa,
              sb,
              (o, ia, ib) -> z[o] = Nd.wrap(t, (long) StrictMath.pow(a.l[ia], b.getDouble(ib))));
        } else {
          Shapes.walk2(shape, sa, sb, (o, ia, ib) -> z[o] = Nd.wrap(t, l(op, a.l[ia], b.l[ib], u)));
        }
      }
    }
    return out;
  }

  /**
   * If {@code b}, aligned to {@code out}, has its non-1 dimensions equal to out's and in one
   * contiguous block, the number of out elements after that block (b repeats each value that often,
   * cycling through its elements); otherwise 0.
   */
  static int blockInner(int[] b, int[] out) {
    int off = out.length - b.length;
    int first = -1;
    int last = -1;
    for (int i = 0; i < b.length; i++) {
      if (b[i] != 1) {
        if (b[i] != out[off + i]) {
          return 0;
        }
        if (first < 0) {
          first = i;
        } else if (last != i - 1) {
          return 0;
        }
        last = i;
      }
    }
    if (first < 0) {
      return 0;
    }
    return Shapes.size(out, off + last + 1, out.length);
  }

  /** Comparison and logic operators produce bool. */
  public enum Cmp {
    EQ,
    LT,
    LE,
    GT,
    GE,
    AND,
    OR,
    XOR
  }

  public static Nd compare(Cmp op, Nd a, Nd b, ExecContext ctx) {
    int[] shape = Shapes.broadcast(a.shape, b.shape);
    Nd out = ctx.newTensor(DataType.BOOL, shape);
    long[] z = out.l;
    boolean u = unsignedType(a.type);
    Shapes.walk2(
        shape,
        Shapes.bstrides(a.shape, shape),
        Shapes.bstrides(b.shape, shape),
        (o, ia, ib) -> {
          boolean r;
          if (a.l != null && b.l != null) {
            long x = a.l[ia];
            long y = b.l[ib];
            int c = u ? Long.compareUnsigned(x, y) : Long.compare(x, y);
            r =
                switch (op) {
                  case EQ -> x == y;
                  case LT -> c < 0;
                  case LE -> c <= 0;
                  case GT -> c > 0;
                  case GE -> c >= 0;
                  case AND -> x != 0 && y != 0;
                  case OR -> x != 0 || y != 0;
                  case XOR -> (x != 0) != (y != 0);
                };
          } else {
            double x = a.getDouble(ia);
            double y = b.getDouble(ib);
            r =
                switch (op) {
                  case EQ -> x == y;
                  case LT -> x < y;
                  case LE -> x <= y;
                  case GT -> x > y;
                  case GE -> x >= y;
                  default -> throw new RunFailure("logical operator on non-bool inputs");
                };
          }
          z[o] = r ? 1 : 0;
        });
    return out;
  }

  /** Where(cond, x, y) with three-way broadcasting. */
  public static Nd where(Nd c, Nd x, Nd y, ExecContext ctx) {
    if (x.type != y.type) {
      throw new RunFailure("Where branches differ in type: " + x.type + " and " + y.type);
    }
    int[] shape = Shapes.broadcast(Shapes.broadcast(c.shape, x.shape), y.shape);
    Nd out = ctx.newTensor(x.type, shape);
    int[] sc = Shapes.bstrides(c.shape, shape);
    int[] sx = Shapes.bstrides(x.shape, shape);
    int[] sy = Shapes.bstrides(y.shape, shape);
    int r = shape.length;
    int[] idx = new int[r];
    for (int o = 0; o < out.size; o++) {
      int ic = 0;
      int ix = 0;
      int iy = 0;
      for (int d = 0; d < r; d++) {
        ic += idx[d] * sc[d];
        ix += idx[d] * sx[d];
        iy += idx[d] * sy[d];
      }
      boolean take = c.getLong(ic) != 0;
      switch (x.type) {
        case FLOAT32 -> out.f[o] = take ? x.f[ix] : y.f[iy];
        case FLOAT64 -> out.d[o] = take ? x.d[ix] : y.d[iy];
        default -> out.l[o] = take ? x.l[ix] : y.l[iy];
      }
      for (int d = r - 1; d >= 0; d--) {
        if (++idx[d] < shape[d]) {
          break;
        }
        idx[d] = 0;
      }
    }
    return out;
  }

  /** A float unary function evaluated as documented in ARITHMETIC.md. */
  public interface FloatFn {
    float apply(float x);
  }

  /** Same function for float64 tensors. */
  public interface DoubleFn {
    double apply(double x);
  }

  public static Nd unary(Nd a, FloatFn ff, DoubleFn df, ExecContext ctx, String op) {
    Nd out = ctx.newTensor(a.type, a.shape);
    switch (a.type) {
      case FLOAT32 -> {
        float[] x = a.f;
        float[] z = out.f;
        if (z.length > 1 << 16) {
          ctx.parallelFor(
              z.length,
              1 << 15,
              (from, to) -> {
                for (int i = from; i < to; i++) {
                  z[i] = ff.apply(x[i]);
                }
              });
        } else {
          for (int i = 0; i < z.length; i++) {
            z[i] = ff.apply(x[i]);
          }
        }
      }
      case FLOAT64 -> {
        if (df == null) {
          throw new RunFailure(op + " does not support float64");
        }
        for (int i = 0; i < out.size; i++) {
          out.d[i] = df.apply(a.d[i]);
        }
      }
      default -> throw new RunFailure(op + " does not support " + a.type);
    }
    return out;
  }

  /** Integer unary (Neg, Abs, Sign) and float via the given functions. */
  public static Nd unaryAny(
      Nd a,
      FloatFn ff,
      DoubleFn df,
      java.util.function.LongUnaryOperator lf,
      ExecContext ctx,
      String op) {
    if (a.l == null) {
      return unary(a, ff, df, ctx, op);
    }
    Nd out = ctx.newTensor(a.type, a.shape);
    for (int i = 0; i < out.size; i++) {
      out.l[i] = Nd.wrap(a.type, lf.applyAsLong(a.l[i]));
    }
    return out;
  }

  public static Nd cast(Nd a, DataType to, ExecContext ctx) {
    Nd out = ctx.newTensor(to, a.shape);
    for (int i = 0; i < a.size; i++) {
      switch (to) {
        case FLOAT32 ->
            out.f[i] = a.f != null ? a.f[i] : a.d != null ? (float) a.d[i] : toFloat(a, i);
        case FLOAT64 -> out.d[i] = a.d != null ? a.d[i] : a.f != null ? a.f[i] : toDouble(a, i);
        case BOOL -> out.l[i] = a.l != null ? (a.l[i] != 0 ? 1 : 0) : (a.getDouble(i) != 0 ? 1 : 0);
        default -> {
          long v;
          if (a.l != null) {
            v = a.l[i];
          } else {
            double x = a.getDouble(i);
            v =
                Double.isNaN(x)
                    ? (to == DataType.INT64 || to == DataType.INT32 ? Long.MIN_VALUE : 0)
                    : (long) x;
            if (to == DataType.INT32
                && !Double.isNaN(x)
                && (x >= 2147483648.0 || x < -2147483648.0)) {
              v = Integer.MIN_VALUE;
            }
          }
          out.l[i] = Nd.wrap(to, v);
        }
      }
    }
    return out;
  }

  private static float toFloat(Nd a, int i) {
    long v = a.l[i];
    if (a.type == DataType.UINT64 && v < 0) {
      return (float) toDouble(a, i);
    }
    return (float) v;
  }

  private static double toDouble(Nd a, int i) {
    long v = a.l[i];
    if (a.type == DataType.UINT64 && v < 0) {
      return (double) (v >>> 1) * 2.0 + (v & 1);
    }
    return (double) v;
  }
}
