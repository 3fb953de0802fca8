package dev.verity.engine.strict.ops;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * Convolution, transposed convolution and pooling over 1-D and 2-D (Conv) or N-D (pooling) NCHW
 * tensors.
 *
 * <p>Conv order: for output element (n, m, oh, ow) of group g, {@code acc = +0.0f} and then for
 * every tap k = (c, kh, kw) in row-major order over [C/group, KH, KW], {@code acc = acc + W[m, c,
 * kh, kw] * X[n, g*C/group + c, ih, iw]}, where a tap that falls into padding reads {@code +0.0f}
 * (the product still happens). Finally {@code y = acc + B[m]} when a bias is given.
 */
public final class Conv {
  private Conv() {}

  /** Resolved geometry for one spatial rank. */
  public record Geometry(
      int[] in, int[] kernel, int[] out, int[] stride, int[] dil, int[] padBegin) {}

  /** Output geometry with ONNX auto_pad, pads, strides, dilations and ceil_mode. */
  public static Geometry geometry(
      int[] in,
      int[] kernel,
      long[] strides,
      long[] pads,
      long[] dilations,
      String autoPad,
      boolean ceil,
      String where) {
    int r = in.length;
    int[] st = new int[r];
    int[] di = new int[r];
    int[] pb = new int[r];
    int[] pe = new int[r];
    int[] out = new int[r];
    checkRange(strides, r, 1, where, "strides");
    checkRange(dilations, r, 1, where, "dilations");
    checkRange(pads, 2 * r, 0, where, "pads");
    for (int i = 0; i < r; i++) {
      st[i] = strides == null ? 1 : (int) strides[i];
      di[i] = dilations == null ? 1 : (int) dilations[i];
      if (st[i] <= 0 || di[i] <= 0 || kernel[i] <= 0) {
        throw new RunFailure(where + ": strides, dilations and kernel must be positive");
      }
      if (pads != null && pads.length == 2 * r) {
        pb[i] = (int) pads[i];
        pe[i] = (int) pads[i + r];
      }
      long ek = (long) (kernel[i] - 1) * di[i] + 1;
      switch (autoPad) {
        case "SAME_UPPER", "SAME_LOWER" -> {
          long o = (in[i] + st[i] - 1) / st[i];
          long total = Math.max(0, (o - 1) * st[i] + ek - in[i]);
          pb[i] = (int) ("SAME_UPPER".equals(autoPad) ? total / 2 : total - total / 2);
          pe[i] = (int) (total - pb[i]);
        }
        case "VALID" -> {
          pb[i] = 0;
          pe[i] = 0;
        }
        default -> {}
      }
      long span = (long) in[i] + pb[i] + pe[i] - ek;
      if (span < 0) {
        throw new RunFailure(
            where
                + ": kernel "
                + Arrays.toString(kernel)
                + " larger than padded input "
                + Arrays.toString(in));
      }
      long o = ceil ? (span + st[i] - 1) / st[i] + 1 : span / st[i] + 1;
      if (ceil && (o - 1) * st[i] >= (long) in[i] + pb[i]) {
        o--;
      }
      if (o > Integer.MAX_VALUE) {
        throw new RunFailure(where + ": output dimension overflows");
      }
      out[i] = (int) o;
    }
    return new Geometry(in, kernel, out, st, di, pb);
  }

  /** Geometry attributes must have the expected length and lie in [min, 2^24]. */
  private static void checkRange(long[] v, int len, long min, String where, String name) {
    if (v == null) {
      return;
    }
    if (v.length != len) {
      throw new RunFailure(where + ": " + name + " has " + v.length + " values, expected " + len);
    }
    for (long x : v) {
      if (x < min || x > (1 << 24)) {
        throw new RunFailure(where + ": " + name + " value " + x + " out of range");
      }
    }
  }

  public static Nd conv(
      Nd x,
      Nd w,
      Nd b,
      long[] kShape,
      long[] strides,
      long[] pads,
      long[] dil,
      String autoPad,
      int group,
      ExecContext ctx) {
    return conv(x, w, b, kShape, strides, pads, dil, autoPad, group, null, ctx);
  }

  /**
   * Conv whose vector path may apply a fused {@link Epilogue} (channel index = output channel); the
   * scalar path applies it as a separate pass with the same per-element operations.
   */
  public static Nd conv(
      Nd x,
      Nd w,
      Nd b,
      long[] kShape,
      long[] strides,
      long[] pads,
      long[] dil,
      String autoPad,
      int group,
      Epilogue ep,
      ExecContext ctx) {
    return conv(x, w, b, kShape, strides, pads, dil, autoPad, group, ep, null, ctx);
  }

  /**
   * As above; {@code prepared}, when given, keeps the channel-lane packing of a constant weight
   * tensor between runs of the same node.
   */
  static Nd conv(
      Nd x,
      Nd w,
      Nd b,
      long[] kShape,
      long[] strides,
      long[] pads,
      long[] dil,
      String autoPad,
      int group,
      Epilogue ep,
      ChannelLanes.Prepared prepared,
      ExecContext ctx) {
    if (x.rank() < 3 || x.rank() > 4) {
      throw new RunFailure(
          ctx.where() + ": Conv supports 1-D and 2-D inputs, got rank " + x.rank());
    }
    boolean oneD = x.rank() == 3;
    int n = x.shape[0];
    int c = x.shape[1];
    int h = oneD ? 1 : x.shape[2];
    int wd = x.shape[x.rank() - 1];
    int m = w.shape[0];
    if (w.rank() != x.rank()
        || group <= 0
        || c % group != 0
        || m % group != 0
        || w.shape[1] != c / group) {
      throw new RunFailure(
          ctx.where()
              + ": weights "
              + Arrays.toString(w.shape)
              + " do not fit input "
              + Arrays.toString(x.shape)
              + " with group "
              + group);
    }
    int kh = oneD ? 1 : w.shape[2];
    int kw = w.shape[w.rank() - 1];
    int[] in = oneD ? new int[] {wd} : new int[] {h, wd};
    int[] ker = oneD ? new int[] {kw} : new int[] {kh, kw};
    Geometry g = geometry(in, ker, strides, pads, dil, autoPad, false, ctx.where());
    int oh = oneD ? 1 : g.out[0];
    int ow = g.out[g.out.length - 1];
    int sh = oneD ? 1 : g.stride[0];
    int sw = g.stride[g.stride.length - 1];
    int dh = oneD ? 1 : g.dil[0];
    int dw = g.dil[g.dil.length - 1];
    int ph = oneD ? 0 : g.padBegin[0];
    int pw = g.padBegin[g.padBegin.length - 1];
    int[] outShape = oneD ? new int[] {n, m, ow} : new int[] {n, m, oh, ow};
    // Both paths below write every output element.
    Nd y = ctx.newFloatsOverwritten(outShape);
    int cg = c / group;
    int mg = m / group;
    int kg = cg * kh * kw;
    int np = oh * ow;
    boolean direct =
        kh == 1 && kw == 1 && sh == 1 && sw == 1 && ph == 0 && pw == 0 && oh == h && ow == wd;
    if (ctx.fast() && ChannelLanes.suits(mg, np)) {
      ChannelLanes.conv(
          x.f,
          w.f,
          b == null ? null : b.f,
          y.f,
          n,
          c,
          m,
          group,
          h,
          wd,
          kh,
          kw,
          oh,
          ow,
          sh,
          sw,
          dh,
          dw,
          ph,
          pw,
          direct,
          ep,
          prepared == null ? null : prepared.get(w, group, ctx),
          ctx);
      return y;
    }
    if (ctx.fast()) {
      // Vector path: each task builds one packed im2col panel (K rows × NR output positions) at a
      // time, in cache, and multiplies all output channels against it. Values only move; every
      // output keeps the documented k order.
      int nr = Gemm.panelWidth();
      int tiles = (np + nr - 1) / nr;
      ctx.reserve((long) ctx.threads() * kg * nr * 4, "im2col panels", new int[] {kg, nr});
      for (int b0 = 0; b0 < n; b0++) {
        for (int gi = 0; gi < group; gi++) {
          int xOff = (b0 * c + gi * cg) * h * wd;
          int yOff = (b0 * m + gi * mg) * np;
          int wOff = gi * mg * kg;
          int biasOff = gi * mg;
          int groups = Gemm.rowGroups(tiles, mg, ctx.threads());
          int rowsPer = Gemm.rowsPerGroup(mg, groups);
          ctx.parallelFor(
              tiles * groups,
              Math.max(1, (int) (65536L / Math.max(1L, (long) rowsPer * kg * nr))),
              (i0, i1) -> {
                ConvScratch scratch = ConvScratch.get();
                float[] panel = scratch.panel(kg * nr);
                float[] tmp = scratch.tmp(4 * nr);
                int[] runs = scratch.runs(4 * (nr + 2));
                int filled = -1;
                for (int item = i0; item < i1; item++) {
                  ctx.checkDeadline();
                  int t = item / groups;
                  int r0 = (item % groups) * rowsPer;
                  int r1 = Math.min(mg, r0 + rowsPer);
                  if (r0 >= r1) {
                    continue;
                  }
                  int p0 = t * nr;
                  int width = Math.min(nr, np - p0);
                  if (filled != t) {
                    if (direct) {
                      for (int r = 0; r < kg; r++) {
                        System.arraycopy(x.f, xOff + r * np + p0, panel, r * nr, width);
                        if (width < nr) {
                          Arrays.fill(panel, r * nr + width, r * nr + nr, 0.0f);
                        }
                      }
                    } else {
                      fillPanel(
                          x.f, xOff, cg, h, wd, kh, kw, ow, sh, sw, dh, dw, ph, pw, p0, width,
                          panel, nr, runs);
                    }
                    filled = t;
                  }
                  Gemm.panelTimes(
                      w.f,
                      wOff + r0 * kg,
                      kg,
                      panel,
                      0,
                      kg,
                      y.f,
                      yOff + r0 * np + p0,
                      np,
                      r1 - r0,
                      width,
                      b == null ? null : b.f,
                      biasOff + r0,
                      tmp,
                      ep);
                }
              });
        }
      }
      return y;
    } else {
      float[] col = direct ? null : ctx.scratch((long) kg * np, "im2col buffer");
      for (int b0 = 0; b0 < n; b0++) {
        for (int gi = 0; gi < group; gi++) {
          ctx.checkDeadline();
          int xOff = (b0 * c + gi * cg) * h * wd;
          float[] bm;
          int bOff;
          if (direct) {
            bm = x.f;
            bOff = xOff;
          } else {
            im2col(x.f, xOff, cg, h, wd, kh, kw, oh, ow, sh, sw, dh, dw, ph, pw, col, ctx);
            bm = col;
            bOff = 0;
          }
          Gemm.multiply(
              w.f,
              gi * mg * kg,
              kg,
              bm,
              bOff,
              np,
              y.f,
              (b0 * m + gi * mg) * np,
              np,
              mg,
              np,
              kg,
              ctx);
        }
      }
    }
    if (b != null) {
      for (int b0 = 0; b0 < n; b0++) {
        for (int co = 0; co < m; co++) {
          float bias = b.f[co];
          int off = (b0 * m + co) * np;
          for (int p = 0; p < np; p++) {
            y.f[off + p] = y.f[off + p] + bias;
          }
        }
      }
    }
    if (ep != null) {
      for (int b0 = 0; b0 < n; b0++) {
        ep.apply(y.f, b0 * m * np, np, m, np, 0);
      }
    }
    return y;
  }

  /**
   * One packed im2col panel: row r = (c, kh, kw) holds the taps of output positions [p0, p0 +
   * width), lanes past {@code width} are +0.0f, and padding taps read +0.0f. The panel's output
   * positions are split once into runs along output rows; rows then copy run by run.
   */
  private static void fillPanel(
      float[] x,
      int xOff,
      int cg,
      int h,
      int w,
      int kh,
      int kw,
      int ow,
      int sh,
      int sw,
      int dh,
      int dw,
      int ph,
      int pw,
      int p0,
      int width,
      float[] panel,
      int nr,
      int[] runs) {
    int nRuns = 0;
    for (int p = p0, end = p0 + width; p < end; ) {
      int yo = p / ow;
      int xo = p - yo * ow;
      int run = Math.min(ow - xo, end - p);
      runs[4 * nRuns] = yo * sh - ph;
      runs[4 * nRuns + 1] = xo * sw - pw;
      runs[4 * nRuns + 2] = run;
      runs[4 * nRuns + 3] = p - p0;
      nRuns++;
      p += run;
    }
    int r = 0;
    for (int ci = 0; ci < cg; ci++) {
      int plane = xOff + ci * h * w;
      for (int i = 0; i < kh; i++) {
        for (int j = 0; j < kw; j++, r++) {
          int rowOff = r * nr;
          for (int q = 0; q < nRuns; q++) {
            int ih = runs[4 * q] + i * dh;
            int iw0 = runs[4 * q + 1] + j * dw;
            int run = runs[4 * q + 2];
            int d = rowOff + runs[4 * q + 3];
            if (ih < 0 || ih >= h) {
              Arrays.fill(panel, d, d + run, 0.0f);
              continue;
            }
            int src = plane + ih * w + iw0;
            // Lanes e with 0 <= iw0 + e*sw < w read the input; the rest are padding.
            int lo = iw0 >= 0 ? 0 : Math.min(run, (-iw0 + sw - 1) / sw);
            int hi = iw0 >= w ? 0 : Math.min(run, (w - 1 - iw0) / sw + 1);
            if (hi < lo) {
              hi = lo;
            }
            // Contiguous runs move as block copies (no per-element index arithmetic).
            if (lo > 0) {
              Arrays.fill(panel, d, d + lo, 0.0f);
            }
            if (sw == 1) {
              if (hi > lo) {
                System.arraycopy(x, src + lo, panel, d + lo, hi - lo);
              }
            } else {
              for (int e = lo; e < hi; e++) {
                panel[d + e] = x[src + e * sw];
              }
            }
            if (hi < run) {
              Arrays.fill(panel, d + hi, d + run, 0.0f);
            }
          }
          if (width < nr) {
            Arrays.fill(panel, rowOff + width, rowOff + nr, 0.0f);
          }
        }
      }
    }
  }

  static void im2col(
      float[] x,
      int xOff,
      int cg,
      int h,
      int w,
      int kh,
      int kw,
      int oh,
      int ow,
      int sh,
      int sw,
      int dh,
      int dw,
      int ph,
      int pw,
      float[] col,
      ExecContext ctx) {
    int np = oh * ow;
    ctx.parallelFor(
        cg,
        Math.max(1, 16384 / Math.max(1, kh * kw * np)),
        (c0, c1) -> {
          for (int ci = c0; ci < c1; ci++) {
            for (int i = 0; i < kh; i++) {
              for (int j = 0; j < kw; j++) {
                int row = ((ci * kh + i) * kw + j) * np;
                for (int y = 0; y < oh; y++) {
                  int ih = y * sh - ph + i * dh;
                  int dst = row + y * ow;
                  if (ih < 0 || ih >= h) {
                    Arrays.fill(col, dst, dst + ow, 0.0f);
                    continue;
                  }
                  int src = xOff + (ci * h + ih) * w;
                  if (sw == 1) {
                    int shift = j * dw - pw;
                    // Clamp both ends into [0, ow]: with padding wider than the input a whole
                    // kernel column can fall outside it, and lo must not run past the row.
                    int lo = Math.min(ow, Math.max(0, -shift));
                    int hi = Math.max(lo, Math.min(ow, w - shift));
                    Arrays.fill(col, dst, dst + lo, 0.0f);
                    if (hi > lo) {
                      System.arraycopy(x, src + lo + shift, col, dst + lo, hi - lo);
                    }
                    Arrays.fill(col, dst + hi, dst + ow, 0.0f);
                  } else {
                    for (int xo = 0; xo < ow; xo++) {
                      int iw = xo * sw - pw + j * dw;
                      col[dst + xo] = iw >= 0 && iw < w ? x[src + iw] : 0.0f;
                    }
                  }
                }
              }
            }
          }
        });
  }

  /**
   * ConvTranspose as a gather: for output (n, m, oh, ow) in group g, {@code acc = +0.0f}, then for
   * c over the group's input channels, kh, kw ascending, every tap with {@code oh + padBegin -
   * kh*dil} divisible by stride and inside the input adds {@code X[n,c,ih,iw] * W[c, m', kh, kw]};
   * then {@code + B[m]}.
   */
  public static Nd convTranspose(
      Nd x,
      Nd w,
      Nd b,
      long[] strides,
      long[] pads,
      long[] dil,
      long[] outPad,
      long[] outShapeAttr,
      String autoPad,
      int group,
      ExecContext ctx) {
    if (x.rank() < 3 || x.rank() > 4) {
      throw new RunFailure(ctx.where() + ": ConvTranspose supports 1-D and 2-D inputs");
    }
    boolean oneD = x.rank() == 3;
    int r = oneD ? 1 : 2;
    int n = x.shape[0];
    int c = x.shape[1];
    int[] in = oneD ? new int[] {x.shape[2]} : new int[] {x.shape[2], x.shape[3]};
    int mg = w.shape[1];
    int m = mg * group;
    if (c % group != 0 || w.shape[0] != c) {
      throw new RunFailure(ctx.where() + ": ConvTranspose weights do not match input channels");
    }
    int[] k = oneD ? new int[] {w.shape[2]} : new int[] {w.shape[2], w.shape[3]};
    checkRange(strides, r, 1, ctx.where(), "strides");
    checkRange(dil, r, 1, ctx.where(), "dilations");
    checkRange(pads, 2 * r, 0, ctx.where(), "pads");
    checkRange(outPad, r, 0, ctx.where(), "output_padding");
    int[] st = new int[r];
    int[] di = new int[r];
    int[] pb = new int[r];
    int[] out = new int[r];
    for (int i = 0; i < r; i++) {
      st[i] = strides == null ? 1 : (int) strides[i];
      di[i] = dil == null ? 1 : (int) dil[i];
      int op = outPad == null ? 0 : (int) outPad[i];
      int pbi = pads == null ? 0 : (int) pads[i];
      int pei = pads == null ? 0 : (int) pads[i + r];
      long full = (long) st[i] * (in[i] - 1) + op + (long) (k[i] - 1) * di[i] + 1;
      if (outShapeAttr != null) {
        long target = outShapeAttr[outShapeAttr.length - r + i];
        long total = full - target;
        // A target larger than the natural size extends the output at the end (as ONNX's
        // reference and ONNX Runtime do); otherwise split the padding as the spec says.
        if (total <= 0) {
          pbi = 0;
        } else if ("SAME_UPPER".equals(autoPad)) {
          pbi = (int) (total / 2);
        } else {
          pbi = (int) (total - total / 2);
        }
        out[i] = (int) target;
      } else if ("SAME_UPPER".equals(autoPad) || "SAME_LOWER".equals(autoPad)) {
        long target = (long) in[i] * st[i];
        long total = full - target;
        pbi = (int) ("SAME_UPPER".equals(autoPad) ? total / 2 : total - total / 2);
        out[i] = (int) target;
      } else {
        out[i] = (int) (full - pbi - pei);
      }
      pb[i] = pbi;
      if (out[i] <= 0) {
        throw new RunFailure(ctx.where() + ": ConvTranspose output dimension " + out[i]);
      }
    }
    int oh = oneD ? 1 : out[0];
    int ow = out[r - 1];
    int ih = oneD ? 1 : in[0];
    int iw = in[r - 1];
    int kh = oneD ? 1 : k[0];
    int kw = k[r - 1];
    int sh = oneD ? 1 : st[0];
    int sw = st[r - 1];
    int dh = oneD ? 1 : di[0];
    int dw = di[r - 1];
    int ph = oneD ? 0 : pb[0];
    int pw = pb[r - 1];
    int cg = c / group;
    Nd y = ctx.newFloats(oneD ? new int[] {n, m, ow} : new int[] {n, m, oh, ow});
    ctx.parallelFor(
        n * m,
        1,
        (from, to) -> {
          for (int nm = from; nm < to; nm++) {
            ctx.checkDeadline();
            int b0 = nm / m;
            int mo = nm % m;
            int gi = mo / mg;
            int ml = mo % mg;
            for (int yo = 0; yo < oh; yo++) {
              for (int xo = 0; xo < ow; xo++) {
                float acc = 0.0f;
                for (int ci = gi * cg; ci < (gi + 1) * cg; ci++) {
                  for (int i = 0; i < kh; i++) {
                    int th = yo + ph - i * dh;
                    if (th < 0 || th % sh != 0 || th / sh >= ih) {
                      continue;
                    }
                    int yi = th / sh;
                    for (int j = 0; j < kw; j++) {
                      int tw = xo + pw - j * dw;
                      if (tw < 0 || tw % sw != 0 || tw / sw >= iw) {
                        continue;
                      }
                      int xi = tw / sw;
                      acc =
                          acc
                              + x.f[((b0 * c + ci) * ih + yi) * iw + xi]
                                  * w.f[((ci * mg + ml) * kh + i) * kw + j];
                    }
                  }
                }
                if (b != null) {
                  acc = acc + b.f[mo];
                }
                y.f[((b0 * m + mo) * oh + yo) * ow + xo] = acc;
              }
            }
          }
        });
    return y;
  }

  /**
   * Max or average pooling over N-D spatial dims. Max: NaN-propagating maximum over in-bounds taps
   * in row-major kernel order (padding never wins). Average: {@code acc = +0.0f} plus the in-bounds
   * taps in row-major kernel order, divided by the tap count (including padded taps inside the
   * padded extent when count_include_pad = 1).
   */
  public static Nd[] pool(
      Nd x,
      boolean max,
      long[] kShape,
      long[] strides,
      long[] pads,
      long[] dil,
      String autoPad,
      boolean ceil,
      boolean countPad,
      boolean wantIndices,
      ExecContext ctx) {
    return pool(
        x, max, kShape, strides, pads, dil, autoPad, ceil, countPad, wantIndices, false, ctx);
  }

  /**
   * As above; {@code columnMajor} reports MaxPool indices in column-major order (storage_order=1).
   */
  public static Nd[] pool(
      Nd x,
      boolean max,
      long[] kShape,
      long[] strides,
      long[] pads,
      long[] dil,
      String autoPad,
      boolean ceil,
      boolean countPad,
      boolean wantIndices,
      boolean columnMajor,
      ExecContext ctx) {
    int r = x.rank() - 2;
    if (r < 1 || kShape == null || kShape.length != r) {
      throw new RunFailure(ctx.where() + ": pooling needs kernel_shape of rank " + r);
    }
    int[] in = Arrays.copyOfRange(x.shape, 2, x.rank());
    int[] ker = Shapes.ints(kShape, "kernel_shape");
    Geometry g = geometry(in, ker, strides, pads, dil, autoPad, ceil, ctx.where());
    if (r == 2 && max && !wantIndices) {
      return new Nd[] {maxPool2d(x, g, ctx)};
    }
    int[] outShape = new int[x.rank()];
    outShape[0] = x.shape[0];
    outShape[1] = x.shape[1];
    System.arraycopy(g.out, 0, outShape, 2, r);
    Nd y = ctx.newFloats(outShape);
    Nd idx = wantIndices ? ctx.newTensor(dev.verity.engine.DataType.INT64, outShape) : null;
    int planes = x.shape[0] * x.shape[1];
    int inPlane = Shapes.size(in, 0, r);
    int outPlane = Shapes.size(g.out, 0, r);
    int kCount = Shapes.size(ker, 0, r);
    int[] inStr = Shapes.strides(in);
    int[] colStr = new int[r];
    for (int i = 0, st = 1; i < r; i++) {
      colStr[i] = st;
      st *= in[i];
    }
    long[] padEnd = new long[r];
    for (int i = 0; i < r; i++) {
      padEnd[i] =
          pads != null
                  && pads.length == 2 * r
                  && !"SAME_UPPER".equals(autoPad)
                  && !"SAME_LOWER".equals(autoPad)
                  && !"VALID".equals(autoPad)
              ? pads[i + r]
              : Math.max(
                  0,
                  (long) (g.out[i] - 1) * g.stride[i]
                      + (long) (ker[i] - 1) * g.dil[i]
                      + 1
                      - in[i]
                      - g.padBegin[i]);
    }
    ctx.parallelFor(
        planes,
        1,
        (p0, p1) -> {
          int[] o = new int[r];
          int[] kk = new int[r];
          for (int p = p0; p < p1; p++) {
            ctx.checkDeadline();
            int inBase = p * inPlane;
            Arrays.fill(o, 0);
            for (int op = 0; op < outPlane; op++) {
              float best = Float.NEGATIVE_INFINITY;
              long bestIdx = -1;
              float acc = 0.0f;
              int count = 0;
              int padCount = 0;
              Arrays.fill(kk, 0);
              for (int t = 0; t < kCount; t++) {
                boolean inside = true;
                boolean insidePad = true;
                int off = 0;
                int colOff = 0;
                for (int d = 0; d < r; d++) {
                  int pos = o[d] * g.stride[d] - g.padBegin[d] + kk[d] * g.dil[d];
                  if (pos < 0 || pos >= in[d]) {
                    inside = false;
                  }
                  if (pos < -g.padBegin[d] || pos >= in[d] + padEnd[d]) {
                    insidePad = false;
                  }
                  off += pos * inStr[d];
                  colOff += pos * colStr[d];
                }
                if (inside) {
                  float v = x.f[inBase + off];
                  if (max) {
                    // Same value as Math.max over the taps; the index is the first maximal tap.
                    if (v > best || Float.isNaN(v) && !Float.isNaN(best) || bestIdx < 0) {
                      bestIdx = (long) inBase + (columnMajor ? colOff : off);
                    }
                    best = Math.max(best, v);
                  } else {
                    acc = acc + v;
                  }
                  count++;
                }
                if (insidePad) {
                  padCount++;
                }
                for (int d = r - 1; d >= 0; d--) {
                  if (++kk[d] < ker[d]) {
                    break;
                  }
                  kk[d] = 0;
                }
              }
              int outIdx = p * outPlane + op;
              if (max) {
                y.f[outIdx] = best;
                if (idx != null) {
                  idx.l[outIdx] = bestIdx;
                }
              } else {
                int div = countPad ? padCount : count;
                y.f[outIdx] = div == 0 ? 0.0f : acc / div;
              }
              for (int d = r - 1; d >= 0; d--) {
                if (++o[d] < g.out[d]) {
                  break;
                }
                o[d] = 0;
              }
            }
          }
        });
    return idx == null ? new Nd[] {y} : new Nd[] {y, idx};
  }

  /**
   * 2-D max pooling without indices: the same in-bounds taps in the same row-major order as the
   * general path, with the window clipped once per output instead of per tap.
   */
  private static final jdk.incubator.vector.VectorSpecies<Float> PS = FloatVector.SPECIES_PREFERRED;

  private static final int PL = PS.length();

  private static Nd maxPool2d(Nd x, Geometry g, ExecContext ctx) {
    boolean fast = ctx.fast();
    int h = g.in[0];
    int w = g.in[1];
    int oh = g.out[0];
    int ow = g.out[1];
    int kh = g.kernel[0];
    int kw = g.kernel[1];
    int sh = g.stride[0];
    int sw = g.stride[1];
    int dh = g.dil[0];
    int dw = g.dil[1];
    int ph = g.padBegin[0];
    int pw = g.padBegin[1];
    Nd y = ctx.newFloatsOverwritten(new int[] {x.shape[0], x.shape[1], oh, ow});
    float[] in = x.f;
    float[] out = y.f;
    ctx.parallelFor(
        x.shape[0] * x.shape[1],
        Math.max(1, 8192 / Math.max(1, oh * ow * kh * kw)),
        (p0, p1) -> {
          float[] acc = new float[ow];
          float[] rowMax = fast && sw != 1 ? new float[w] : null;
          int[] gather = new int[PL];
          for (int q = 0; q < PL; q++) {
            gather[q] = q * sw;
          }
          for (int p = p0; p < p1; p++) {
            int ib = p * h * w;
            int ob = p * oh * ow;
            for (int yo = 0; yo < oh; yo++) {
              int y0 = yo * sh - ph;
              // Window rows inside the input, in increasing order.
              int iLo = y0 >= 0 ? 0 : (-y0 + dh - 1) / dh;
              int iHi = Math.min(kh, y0 >= h ? 0 : (h - 1 - y0) / dh + 1);
              if (rowMax != null) {
                // Strided windows: the maximum is the same whatever order the taps are visited in
                // (ARITHMETIC.md), so take each input column's maximum over the window rows with
                // contiguous vectors first, then the window columns per output, instead of gathers.
                Arrays.fill(rowMax, Float.NEGATIVE_INFINITY);
                for (int i = iLo; i < iHi; i++) {
                  int rowBase = ib + (y0 + i * dh) * w;
                  int xi = 0;
                  for (; xi + PL <= w; xi += PL) {
                    FloatVector.fromArray(PS, rowMax, xi)
                        .max(FloatVector.fromArray(PS, in, rowBase + xi))
                        .intoArray(rowMax, xi);
                  }
                  for (; xi < w; xi++) {
                    rowMax[xi] = Math.max(rowMax[xi], in[rowBase + xi]);
                  }
                }
                int ob0 = ob + yo * ow;
                for (int xo = 0; xo < ow; xo++) {
                  int x0 = xo * sw - pw;
                  float best = Float.NEGATIVE_INFINITY;
                  for (int j = 0; j < kw; j++) {
                    int xi = x0 + j * dw;
                    if (xi >= 0 && xi < w) {
                      best = Math.max(best, rowMax[xi]);
                    }
                  }
                  out[ob0 + xo] = best;
                }
                continue;
              }
              Arrays.fill(acc, Float.NEGATIVE_INFINITY);
              // Tap-major: for each (i, j), one long independent pass over the output row.
              for (int i = iLo; i < iHi; i++) {
                int rowBase = ib + (y0 + i * dh) * w;
                for (int j = 0; j < kw; j++) {
                  int off = j * dw - pw;
                  int xLo = off >= 0 ? 0 : Math.min(ow, (-off + sw - 1) / sw);
                  int xHi = off > w - 1 ? 0 : Math.min(ow, (w - 1 - off) / sw + 1);
                  int src = rowBase + off;
                  int xo = xLo;
                  if (fast) {
                    // FloatVector.max applies Math.max per lane: same values, several at once.
                    for (; xo + PL <= xHi; xo += PL) {
                      FloatVector v =
                          sw == 1
                              ? FloatVector.fromArray(PS, in, src + xo)
                              : FloatVector.fromArray(PS, in, src + xo * sw, gather, 0);
                      FloatVector.fromArray(PS, acc, xo).max(v).intoArray(acc, xo);
                    }
                  }
                  for (; xo < xHi; xo++) {
                    acc[xo] = Math.max(acc[xo], in[src + xo * sw]);
                  }
                }
              }
              System.arraycopy(acc, 0, out, ob + yo * ow, ow);
            }
          }
        });
    return y;
  }

  /** Global average (acc from +0.0f over the plane in order, then / count) or max. */
  public static Nd globalPool(Nd x, boolean max, ExecContext ctx) {
    int[] shape = x.shape.clone();
    for (int i = 2; i < shape.length; i++) {
      shape[i] = 1;
    }
    Nd y = ctx.newFloats(shape);
    int planes = x.shape[0] * x.shape[1];
    int plane = Shapes.size(x.shape, 2, x.rank());
    for (int p = 0; p < planes; p++) {
      if (max) {
        float best = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < plane; i++) {
          float v = x.f[p * plane + i];
          if (v > best || Float.isNaN(v)) {
            best = v;
          }
        }
        y.f[p] = best;
      } else {
        float acc = 0.0f;
        for (int i = 0; i < plane; i++) {
          acc = acc + x.f[p * plane + i];
        }
        y.f[p] = acc / plane;
      }
    }
    return y;
  }
}
