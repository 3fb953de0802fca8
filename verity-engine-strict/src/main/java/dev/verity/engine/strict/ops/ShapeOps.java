package dev.verity.engine.strict.ops;

import dev.verity.engine.DataType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Data movement operators: no arithmetic, so no rounding questions. */
public final class ShapeOps {
  private ShapeOps() {}

  public static Nd reshape(Nd x, long[] spec, boolean allowZero, ExecContext ctx) {
    int[] s = new int[spec.length];
    int infer = -1;
    long known = 1;
    for (int i = 0; i < spec.length; i++) {
      long v = spec[i];
      if (v == -1) {
        if (infer >= 0) {
          throw new RunFailure(ctx.where() + ": Reshape has more than one -1");
        }
        infer = i;
        continue;
      }
      if (v == 0 && !allowZero) {
        if (i >= x.rank()) {
          throw new RunFailure(
              ctx.where() + ": Reshape copies dimension " + i + " that the input lacks");
        }
        v = x.shape[i];
      }
      if (v < 0 || v > Integer.MAX_VALUE) {
        throw new RunFailure(ctx.where() + ": invalid Reshape dimension " + v);
      }
      s[i] = (int) v;
      known = Math.multiplyExact(known, v);
    }
    if (infer >= 0) {
      if (known == 0 || x.size % known != 0) {
        throw new RunFailure(
            ctx.where()
                + ": cannot infer -1 reshaping "
                + Arrays.toString(x.shape)
                + " to "
                + Arrays.toString(spec));
      }
      s[infer] = (int) (x.size / known);
    }
    if (Nd.count(s) != x.size) {
      throw new RunFailure(
          ctx.where()
              + ": cannot reshape "
              + Arrays.toString(x.shape)
              + " to "
              + Arrays.toString(spec));
    }
    return x.reshape(s);
  }

  public static Nd transpose(Nd x, int[] perm, ExecContext ctx) {
    int r = x.rank();
    if (perm == null) {
      perm = new int[r];
      for (int i = 0; i < r; i++) {
        perm[i] = r - 1 - i;
      }
    }
    if (perm.length != r) {
      throw new RunFailure(ctx.where() + ": perm length " + perm.length + " for rank " + r);
    }
    int[] outShape = new int[r];
    boolean[] seen = new boolean[r];
    for (int i = 0; i < r; i++) {
      int p = Shapes.axis(perm[i], r, ctx.where());
      if (seen[p]) {
        throw new RunFailure(ctx.where() + ": perm repeats axis " + p);
      }
      seen[p] = true;
      outShape[i] = x.shape[p];
    }
    Nd out = ctx.newTensor(x.type, outShape);
    int[] inStr = Shapes.strides(x.shape);
    int[] srcStr = new int[r];
    for (int i = 0; i < r; i++) {
      srcStr[i] = inStr[perm[i]];
    }
    gather(x, out, srcStr);
    return out;
  }

  /** Copies {@code x} into {@code out} where out's index i maps to input offset sum(i_d*str_d). */
  static void gather(Nd x, Nd out, int[] srcStr) {
    int r = out.rank();
    int[] idx = new int[r];
    int src = 0;
    for (int o = 0; o < out.size; o++) {
      copy(x, src, out, o);
      for (int d = r - 1; d >= 0; d--) {
        src += srcStr[d];
        if (++idx[d] < out.shape[d]) {
          break;
        }
        src -= srcStr[d] * out.shape[d];
        idx[d] = 0;
      }
    }
  }

  static void copy(Nd x, int i, Nd out, int o) {
    switch (x.type) {
      case FLOAT32 -> out.f[o] = x.f[i];
      case FLOAT64 -> out.d[o] = x.d[i];
      default -> out.l[o] = x.l[i];
    }
  }

  public static Nd concat(Nd[] xs, long axisAttr, ExecContext ctx) {
    List<Nd> parts = new ArrayList<>();
    for (Nd x : xs) {
      if (x != null) {
        parts.add(x);
      }
    }
    Nd first = parts.get(0);
    int r = first.rank();
    int axis = Shapes.axis(axisAttr, r, ctx.where());
    int[] shape = first.shape.clone();
    shape[axis] = 0;
    for (Nd p : parts) {
      if (p.rank() != r || p.type != first.type) {
        throw new RunFailure(ctx.where() + ": Concat inputs differ in rank or type");
      }
      for (int i = 0; i < r; i++) {
        if (i != axis && p.shape[i] != first.shape[i]) {
          throw new RunFailure(
              ctx.where()
                  + ": Concat input "
                  + Arrays.toString(p.shape)
                  + " does not match "
                  + Arrays.toString(first.shape));
        }
      }
      shape[axis] += p.shape[axis];
    }
    Nd out = ctx.newTensor(first.type, shape);
    int outer = Shapes.size(shape, 0, axis);
    int inner = Shapes.size(shape, axis + 1, r);
    int outRow = shape[axis] * inner;
    int at = 0;
    for (Nd p : parts) {
      int chunk = p.shape[axis] * inner;
      for (int o = 0; o < outer; o++) {
        arraycopy(p, o * chunk, out, o * outRow + at, chunk);
      }
      at += chunk;
    }
    return out;
  }

  static void arraycopy(Nd src, int s, Nd dst, int d, int n) {
    switch (src.type) {
      case FLOAT32 -> System.arraycopy(src.f, s, dst.f, d, n);
      case FLOAT64 -> System.arraycopy(src.d, s, dst.d, d, n);
      default -> System.arraycopy(src.l, s, dst.l, d, n);
    }
  }

  public static Nd squeeze(Nd x, long[] axes, ExecContext ctx) {
    boolean[] drop = new boolean[x.rank()];
    if (axes == null) {
      for (int i = 0; i < x.rank(); i++) {
        drop[i] = x.shape[i] == 1;
      }
    } else {
      for (long a : axes) {
        int ax = Shapes.axis(a, x.rank(), ctx.where());
        if (x.shape[ax] != 1) {
          throw new RunFailure(
              ctx.where() + ": cannot squeeze axis " + a + " of size " + x.shape[ax]);
        }
        drop[ax] = true;
      }
    }
    int[] s = new int[x.rank()];
    int n = 0;
    for (int i = 0; i < x.rank(); i++) {
      if (!drop[i]) {
        s[n++] = x.shape[i];
      }
    }
    return x.reshape(Arrays.copyOf(s, n));
  }

  public static Nd unsqueeze(Nd x, long[] axes, ExecContext ctx) {
    int r = x.rank() + axes.length;
    boolean[] ins = new boolean[r];
    for (long a : axes) {
      int ax = Shapes.axis(a, r, ctx.where());
      if (ins[ax]) {
        throw new RunFailure(ctx.where() + ": Unsqueeze repeats axis " + a);
      }
      ins[ax] = true;
    }
    int[] s = new int[r];
    for (int i = 0, j = 0; i < r; i++) {
      s[i] = ins[i] ? 1 : x.shape[j++];
    }
    return x.reshape(s);
  }

  public static Nd flatten(Nd x, long axisAttr, ExecContext ctx) {
    int axis = (int) (axisAttr < 0 ? axisAttr + x.rank() : axisAttr);
    if (axis < 0 || axis > x.rank()) {
      throw new RunFailure(ctx.where() + ": Flatten axis " + axisAttr + " out of range");
    }
    return x.reshape(
        new int[] {Shapes.size(x.shape, 0, axis), Shapes.size(x.shape, axis, x.rank())});
  }

  public static Nd gather(Nd x, Nd indices, long axisAttr, ExecContext ctx) {
    int axis = Shapes.axis(axisAttr, x.rank(), ctx.where());
    int[] shape = new int[x.rank() - 1 + indices.rank()];
    int k = 0;
    for (int i = 0; i < axis; i++) {
      shape[k++] = x.shape[i];
    }
    for (int s : indices.shape) {
      shape[k++] = s;
    }
    for (int i = axis + 1; i < x.rank(); i++) {
      shape[k++] = x.shape[i];
    }
    Nd out = ctx.newTensor(x.type, shape);
    int outer = Shapes.size(x.shape, 0, axis);
    int inner = Shapes.size(x.shape, axis + 1, x.rank());
    int dim = x.shape[axis];
    int ni = indices.size;
    for (int o = 0; o < outer; o++) {
      for (int j = 0; j < ni; j++) {
        long id = indices.getLong(j);
        if (id < 0) {
          id += dim;
        }
        if (id < 0 || id >= dim) {
          throw new RunFailure(
              ctx.where()
                  + ": Gather index "
                  + indices.getLong(j)
                  + " out of range ["
                  + -dim
                  + ", "
                  + dim
                  + ")");
        }
        arraycopy(x, (o * dim + (int) id) * inner, out, (o * ni + j) * inner, inner);
      }
    }
    return out;
  }

  public static Nd slice(
      Nd x, long[] starts, long[] ends, long[] axes, long[] steps, ExecContext ctx) {
    int r = x.rank();
    int[] st = new int[r];
    int[] step = new int[r];
    int[] size = x.shape.clone();
    Arrays.fill(step, 1);
    boolean[] seen = new boolean[r];
    for (int i = 0; i < starts.length; i++) {
      int ax = Shapes.axis(axes == null ? i : axes[i], r, ctx.where());
      if (seen[ax]) {
        throw new RunFailure(ctx.where() + ": Slice repeats axis " + ax);
      }
      seen[ax] = true;
      long dim = x.shape[ax];
      long sp = steps == null ? 1 : steps[i];
      if (sp == 0) {
        throw new RunFailure(ctx.where() + ": Slice step 0");
      }
      long s = starts[i];
      long e = ends[i];
      if (s < 0) {
        s += dim;
      }
      if (e < 0) {
        e += dim;
      }
      long lo;
      long n;
      if (sp > 0) {
        s = Math.max(0, Math.min(dim, s));
        e = Math.max(0, Math.min(dim, e));
        n = e > s ? (e - s + sp - 1) / sp : 0;
      } else {
        s = Math.max(-1, Math.min(dim - 1, s));
        e = Math.max(-1, Math.min(dim - 1, e));
        n = s > e ? (s - e + (-sp) - 1) / (-sp) : 0;
      }
      lo = s;
      st[ax] = (int) lo;
      step[ax] = (int) sp;
      size[ax] = (int) n;
    }
    Nd out = ctx.newTensor(x.type, size);
    int[] inStr = Shapes.strides(x.shape);
    int base = 0;
    int[] srcStr = new int[r];
    for (int i = 0; i < r; i++) {
      base += st[i] * inStr[i];
      srcStr[i] = step[i] * inStr[i];
    }
    int rr = r;
    int[] idx = new int[rr];
    int src = base;
    for (int o = 0; o < out.size; o++) {
      copy(x, src, out, o);
      for (int d = rr - 1; d >= 0; d--) {
        src += srcStr[d];
        if (++idx[d] < size[d]) {
          break;
        }
        src -= srcStr[d] * size[d];
        idx[d] = 0;
      }
    }
    return out;
  }

  public static Nd pad(Nd x, long[] pads, String mode, Nd value, long[] axes, ExecContext ctx) {
    int r = x.rank();
    long[] full = new long[2 * r];
    if (axes == null) {
      if (pads.length != 2 * r) {
        throw new RunFailure(ctx.where() + ": Pad needs " + 2 * r + " pads, got " + pads.length);
      }
      full = pads;
    } else {
      for (int i = 0; i < axes.length; i++) {
        int ax = Shapes.axis(axes[i], r, ctx.where());
        full[ax] = pads[i];
        full[ax + r] = pads[i + axes.length];
      }
    }
    int[] shape = new int[r];
    for (int i = 0; i < r; i++) {
      long s = x.shape[i] + full[i] + full[i + r];
      if (s < 0 || s > Integer.MAX_VALUE) {
        throw new RunFailure(ctx.where() + ": padded dimension " + s + " invalid");
      }
      shape[i] = (int) s;
    }
    Nd out = ctx.newTensor(x.type, shape);
    int[] inStr = Shapes.strides(x.shape);
    int[] idx = new int[r];
    for (int o = 0; o < out.size; o++) {
      int src = 0;
      boolean outside = false;
      for (int d = 0; d < r; d++) {
        long p = idx[d] - full[d];
        int n = x.shape[d];
        if (p < 0 || p >= n) {
          switch (mode) {
            case "edge" -> p = p < 0 ? 0 : n - 1;
            case "reflect" -> {
              if (n == 1) {
                p = 0;
              } else {
                long period = 2L * (n - 1);
                p = Math.floorMod(p, period);
                if (p >= n) {
                  p = period - p;
                }
              }
            }
            case "wrap" -> p = Math.floorMod(p, n);
            default -> outside = true;
          }
        }
        src += (int) p * inStr[d];
      }
      if (outside || x.size == 0) {
        switch (x.type) {
          case FLOAT32 -> out.f[o] = value == null ? 0.0f : value.f[0];
          case FLOAT64 -> out.d[o] = value == null ? 0.0 : value.d[0];
          default -> out.l[o] = value == null ? 0 : value.l[0];
        }
      } else {
        copy(x, src, out, o);
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

  public static Nd expand(Nd x, long[] spec, ExecContext ctx) {
    int[] target = Shapes.broadcast(x.shape, Shapes.ints(spec, "Expand shape"));
    Nd out = ctx.newTensor(x.type, target);
    gather(x, out, Shapes.bstrides(x.shape, target));
    return out;
  }

  public static Nd shape(Nd x, long start, long end) {
    int r = x.rank();
    long s = start < 0 ? Math.max(0, start + r) : Math.min(r, start);
    long e = end < 0 ? Math.max(0, end + r) : Math.min(r, end);
    int n = (int) Math.max(0, e - s);
    long[] v = new long[n];
    for (int i = 0; i < n; i++) {
      v[i] = x.shape[(int) s + i];
    }
    return Nd.longs(DataType.INT64, new int[] {n}, v);
  }

  public static Nd constantOfShape(long[] spec, Nd value, ExecContext ctx) {
    int[] shape = Shapes.ints(spec, "ConstantOfShape shape");
    DataType t = value == null ? DataType.FLOAT32 : value.type;
    Nd out = ctx.newTensor(t, shape);
    if (value != null) {
      switch (t) {
        case FLOAT32 -> Arrays.fill(out.f, value.f[0]);
        case FLOAT64 -> Arrays.fill(out.d, value.d[0]);
        default -> Arrays.fill(out.l, value.l[0]);
      }
    }
    return out;
  }

  public static Nd[] split(Nd x, long axisAttr, long[] sizes, int outputs, ExecContext ctx) {
    int axis = Shapes.axis(axisAttr, x.rank(), ctx.where());
    int dim = x.shape[axis];
    long[] sz = sizes;
    if (sz == null) {
      sz = new long[outputs];
      int chunk = (dim + outputs - 1) / outputs;
      for (int i = 0; i < outputs; i++) {
        sz[i] = Math.max(0, Math.min(chunk, dim - (long) chunk * i));
      }
    }
    long total = 0;
    for (long v : sz) {
      total += v;
    }
    if (total != dim || sz.length != outputs) {
      throw new RunFailure(
          ctx.where() + ": Split sizes " + Arrays.toString(sz) + " do not cover " + dim);
    }
    Nd[] out = new Nd[outputs];
    long at = 0;
    for (int i = 0; i < outputs; i++) {
      long[] starts = {at};
      long[] ends = {at + sz[i]};
      out[i] = slice(x, starts, ends, new long[] {axis}, null, ctx);
      at += sz[i];
    }
    return out;
  }

  public static Nd tile(Nd x, long[] reps, ExecContext ctx) {
    int r = x.rank();
    int[] shape = new int[r];
    for (int i = 0; i < r; i++) {
      if (reps[i] < 0) {
        throw new RunFailure(ctx.where() + ": Tile repeat " + reps[i] + " is negative");
      }
      shape[i] = Math.toIntExact(Math.multiplyExact(x.shape[i], reps[i]));
    }
    Nd out = ctx.newTensor(x.type, shape);
    int[] inStr = Shapes.strides(x.shape);
    int[] idx = new int[r];
    for (int o = 0; o < out.size; o++) {
      int src = 0;
      for (int d = 0; d < r; d++) {
        src += (idx[d] % x.shape[d]) * inStr[d];
      }
      copy(x, src, out, o);
      for (int d = r - 1; d >= 0; d--) {
        if (++idx[d] < shape[d]) {
          break;
        }
        idx[d] = 0;
      }
    }
    return out;
  }
}
