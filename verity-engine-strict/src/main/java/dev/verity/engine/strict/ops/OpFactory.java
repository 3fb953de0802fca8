package dev.verity.engine.strict.ops;

import dev.verity.engine.DataType;
import dev.verity.engine.strict.onnx.OnnxModel;
import dev.verity.engine.strict.ops.Elementwise.Bin;
import dev.verity.engine.strict.ops.Elementwise.Cmp;
import java.util.Set;
import java.util.TreeSet;

/**
 * Compiles one ONNX node into a {@link Kernel}, resolving attributes at load time and handling the
 * attribute-to-input moves between opsets 7 and 21.
 */
public final class OpFactory {
  /** An operator the engine does not implement. */
  public static final class UnsupportedOp extends Exception {
    public UnsupportedOp(String message) {
      super(message);
    }
  }

  private static final Set<String> OPS =
      new TreeSet<>(
          Set.of(
              "Abs",
              "Add",
              "And",
              "ArgMax",
              "ArgMin",
              "AveragePool",
              "BatchNormalization",
              "Cast",
              "CastLike",
              "Ceil",
              "Clip",
              "Concat",
              "Constant",
              "ConstantOfShape",
              "Conv",
              "ConvTranspose",
              "Cos",
              "Div",
              "Dropout",
              "Elu",
              "Equal",
              "Erf",
              "Exp",
              "Expand",
              "Flatten",
              "Floor",
              "Gather",
              "Gelu",
              "Gemm",
              "GlobalAveragePool",
              "GlobalMaxPool",
              "Greater",
              "GreaterOrEqual",
              "HardSigmoid",
              "HardSwish",
              "Identity",
              "IsInf",
              "IsNaN",
              "LRN",
              "LayerNormalization",
              "LeakyRelu",
              "Less",
              "LessOrEqual",
              "Log",
              "LogSoftmax",
              "MatMul",
              "Max",
              "MaxPool",
              "Mean",
              "Min",
              "Mod",
              "Mul",
              "Neg",
              "Not",
              "Or",
              "PRelu",
              "Pad",
              "Pow",
              "Range",
              "Reciprocal",
              "ReduceL1",
              "ReduceL2",
              "ReduceLogSum",
              "ReduceLogSumExp",
              "ReduceMax",
              "ReduceMean",
              "ReduceMin",
              "ReduceProd",
              "ReduceSum",
              "ReduceSumSquare",
              "Relu",
              "Reshape",
              "Selu",
              "Shape",
              "Sigmoid",
              "Sign",
              "Sin",
              "Size",
              "Slice",
              "Softmax",
              "Softplus",
              "Softsign",
              "Split",
              "Sqrt",
              "Squeeze",
              "Sub",
              "Sum",
              "Tan",
              "Tanh",
              "ThresholdedRelu",
              "Tile",
              "Transpose",
              "Unsqueeze",
              "Where",
              "Xor"));

  private OpFactory() {}

  /** A Conv kernel that can also apply a fused element-wise {@link Epilogue}. */
  public interface ConvKernel extends Kernel {
    Nd[] runWithEpilogue(Nd[] in, Epilogue ep, ExecContext ctx);
  }

  /** How many leading inputs an operator cannot do without (checked at load). */
  public static int requiredInputs(String op, long opset) {
    return switch (op) {
      case "Constant" -> 0;
      case "BatchNormalization" -> 5;
      case "Where", "Range" -> 3;
      case "Slice" -> opset >= 10 ? 3 : 1;
      case "Reshape" -> opset >= 5 ? 2 : 1;
      case "Unsqueeze" -> opset >= 13 ? 2 : 1;
      case "Add",
          "Sub",
          "Mul",
          "Div",
          "Pow",
          "Mod",
          "Equal",
          "Less",
          "LessOrEqual",
          "Greater",
          "GreaterOrEqual",
          "And",
          "Or",
          "Xor",
          "MatMul",
          "Gemm",
          "Conv",
          "ConvTranspose",
          "Expand",
          "Tile",
          "Gather",
          "CastLike",
          "PRelu",
          "LayerNormalization" ->
          2;
      case "Pad" -> opset >= 11 ? 2 : 1;
      default -> 1;
    };
  }

  public static Set<String> supportedOps() {
    return java.util.Collections.unmodifiableSet(OPS);
  }

  public static boolean supports(String domain, String opType) {
    return (domain.isEmpty() || "ai.onnx".equals(domain)) && OPS.contains(opType);
  }

  public static Kernel create(OnnxModel.Node node, long opset) throws UnsupportedOp {
    String label = "node '" + node.name() + "' (" + node.opType() + ")";
    if (!supports(node.domain(), node.opType())) {
      throw new UnsupportedOp(
          "unsupported operator "
              + (node.domain().isEmpty() ? "" : node.domain() + ".")
              + node.opType()
              + " in node '"
              + node.name()
              + "' at opset "
              + opset);
    }
    Attrs at = new Attrs(node.attributes(), label);
    int nOut = node.outputs().size();
    return switch (node.opType()) {
      case "Add" -> binary(Bin.ADD);
      case "Sub" -> binary(Bin.SUB);
      case "Mul" -> binary(Bin.MUL);
      case "Div" -> binary(Bin.DIV);
      case "Pow" -> binary(Bin.POW);
      case "Mod" -> binary(at.i("fmod", 0) == 1 ? Bin.FMOD : Bin.MOD);
      case "Sum" -> variadic(Bin.ADD, false);
      case "Min" -> variadic(Bin.MIN, false);
      case "Max" -> variadic(Bin.MAX, false);
      case "Mean" -> variadic(Bin.ADD, true);
      case "Equal" -> cmp(Cmp.EQ);
      case "Less" -> cmp(Cmp.LT);
      case "LessOrEqual" -> cmp(Cmp.LE);
      case "Greater" -> cmp(Cmp.GT);
      case "GreaterOrEqual" -> cmp(Cmp.GE);
      case "And" -> cmp(Cmp.AND);
      case "Or" -> cmp(Cmp.OR);
      case "Xor" -> cmp(Cmp.XOR);
      case "Not" ->
          (in, ctx) -> {
            Nd out = ctx.newTensor(DataType.BOOL, in[0].shape);
            for (int i = 0; i < out.size; i++) {
              out.l[i] = in[0].l[i] == 0 ? 1 : 0;
            }
            return new Nd[] {out};
          };
      case "Where" -> (in, ctx) -> one(Elementwise.where(in[0], in[1], in[2], ctx));
      case "Relu" ->
          (in, ctx) -> {
            Nd x = in[0];
            if (x.type != DataType.FLOAT32) {
              return one(
                  Elementwise.unaryAny(
                      x, v -> v, v -> v < 0.0 ? 0.0 : v, v -> Math.max(0, v), ctx, "Relu"));
            }
            // A plain loop (not a lambda per element) so the JIT can vectorize it.
            Nd out = ctx.newFloatsOverwritten(x.shape);
            float[] a = x.f;
            float[] z = out.f;
            for (int i = 0; i < z.length; i++) {
              z[i] = Math.max(a[i], 0.0f);
            }
            return one(out);
          };
      case "LeakyRelu" -> {
        float alpha = at.f("alpha", 0.01f);
        yield unary(x -> x < 0.0f ? x * alpha : x, x -> x < 0.0 ? x * alpha : x, null);
      }
      case "PRelu" ->
          (in, ctx) -> {
            Nd x = in[0];
            Nd slope = in[1];
            int[] shape = Shapes.broadcast(x.shape, slope.shape);
            Nd out = ctx.newFloats(shape);
            Shapes.walk2(
                shape,
                Shapes.bstrides(x.shape, shape),
                Shapes.bstrides(slope.shape, shape),
                (o, ia, ib) -> out.f[o] = x.f[ia] < 0.0f ? x.f[ia] * slope.f[ib] : x.f[ia]);
            return one(out);
          };
      case "Elu" -> {
        double alpha = at.f("alpha", 1.0f);
        yield unaryD(x -> x < 0 ? alpha * (StrictMath.exp(x) - 1.0) : x);
      }
      case "Selu" -> {
        double alpha = at.f("alpha", 1.67326319217681884765625f);
        double gamma = at.f("gamma", 1.05070102214813232421875f);
        yield unaryD(x -> x <= 0 ? gamma * (alpha * StrictMath.exp(x) - alpha) : gamma * x);
      }
      case "ThresholdedRelu" -> {
        float alpha = at.f("alpha", 1.0f);
        yield unary(x -> x > alpha ? x : 0.0f, x -> x > alpha ? x : 0.0, null);
      }
      case "HardSigmoid" -> {
        double alpha = at.f("alpha", 0.2f);
        double beta = at.f("beta", 0.5f);
        yield unaryD(x -> Math.max(0.0, Math.min(1.0, alpha * x + beta)));
      }
      case "HardSwish" -> unaryD(x -> x * Math.max(0.0, Math.min(1.0, x / 6.0 + 0.5)));
      case "Softplus" -> unaryD(x -> StrictMath.log(StrictMath.exp(x) + 1.0));
      case "Softsign" -> unaryD(x -> x / (1.0 + Math.abs(x)));
      case "Sigmoid" -> unary(StrictFns::sigmoid, StrictFns::sigmoid, null);
      case "Tanh" -> unaryD(StrictMath::tanh);
      case "Erf" -> unaryD(StrictFns::erf);
      case "Gelu" ->
          "tanh".equals(at.s("approximate", "none"))
              ? unaryD(StrictFns::geluTanh)
              : unaryD(StrictFns::gelu);
      case "Exp" -> unaryD(StrictMath::exp);
      case "Log" -> unaryD(StrictMath::log);
      case "Sin" -> unaryD(StrictMath::sin);
      case "Cos" -> unaryD(StrictMath::cos);
      case "Tan" -> unaryD(StrictMath::tan);
      case "Sqrt" -> unary(x -> (float) StrictMath.sqrt(x), StrictMath::sqrt, null);
      case "Reciprocal" -> unary(x -> 1.0f / x, x -> 1.0 / x, null);
      case "Neg" -> unary(x -> -x, x -> -x, x -> -x);
      case "Abs" -> unary(Math::abs, Math::abs, Math::abs);
      case "Sign" -> unary(Math::signum, Math::signum, Long::signum);
      case "Floor" -> unary(x -> (float) StrictMath.floor(x), StrictMath::floor, null);
      case "Ceil" -> unary(x -> (float) StrictMath.ceil(x), StrictMath::ceil, null);
      case "IsNaN" ->
          (in, ctx) -> {
            Nd out = ctx.newTensor(DataType.BOOL, in[0].shape);
            for (int i = 0; i < out.size; i++) {
              out.l[i] = Double.isNaN(in[0].getDouble(i)) ? 1 : 0;
            }
            return one(out);
          };
      case "IsInf" -> {
        boolean pos = at.i("detect_positive", 1) == 1;
        boolean neg = at.i("detect_negative", 1) == 1;
        yield (in, ctx) -> {
          Nd out = ctx.newTensor(DataType.BOOL, in[0].shape);
          for (int i = 0; i < out.size; i++) {
            double v = in[0].getDouble(i);
            out.l[i] =
                (pos && v == Double.POSITIVE_INFINITY) || (neg && v == Double.NEGATIVE_INFINITY)
                    ? 1
                    : 0;
          }
          return one(out);
        };
      }
      case "Clip" -> clip(at, opset);
      case "Identity" -> (in, ctx) -> one(in[0]);
      case "Dropout" -> dropout(at, opset, nOut);
      case "Cast" -> {
        DataType to = dtype(at.i("to", 1), label);
        yield (in, ctx) -> one(Elementwise.cast(in[0], to, ctx));
      }
      case "CastLike" -> (in, ctx) -> one(Elementwise.cast(in[0], in[1].type, ctx));
      case "Constant" -> constant(at, label);
      case "ConstantOfShape" -> {
        Nd value = at.t("value");
        yield (in, ctx) -> one(ShapeOps.constantOfShape(Shapes.longs(in[0]), value, ctx));
      }
      case "Shape" -> {
        long start = at.i("start", 0);
        long end = at.i("end", Long.MAX_VALUE);
        yield (in, ctx) -> one(ShapeOps.shape(in[0], start, end));
      }
      case "Size" ->
          (in, ctx) -> one(Nd.longs(DataType.INT64, new int[0], new long[] {in[0].size}));
      case "Reshape" -> {
        boolean allowZero = at.i("allowzero", 0) == 1;
        long[] attrShape = at.ints("shape");
        yield (in, ctx) ->
            one(
                ShapeOps.reshape(
                    in[0], opset < 5 ? attrShape : Shapes.longs(in[1]), allowZero, ctx));
      }
      case "Flatten" -> {
        long axis = at.i("axis", 1);
        yield (in, ctx) -> one(ShapeOps.flatten(in[0], axis, ctx));
      }
      case "Transpose" -> {
        long[] perm = at.ints("perm");
        yield (in, ctx) ->
            one(ShapeOps.transpose(in[0], perm == null ? null : Shapes.ints(perm, "perm"), ctx));
      }
      case "Squeeze" -> {
        long[] axes = at.ints("axes");
        yield (in, ctx) -> one(ShapeOps.squeeze(in[0], opset >= 13 ? optLongs(in, 1) : axes, ctx));
      }
      case "Unsqueeze" -> {
        long[] axes = at.ints("axes");
        yield (in, ctx) -> {
          long[] ax = opset >= 13 ? Shapes.longs(in[1]) : axes;
          if (ax == null) {
            throw new RunFailure(label + ": Unsqueeze needs axes");
          }
          return one(ShapeOps.unsqueeze(in[0], ax, ctx));
        };
      }
      case "Concat" -> {
        long axis = at.i("axis", 0);
        yield (in, ctx) -> one(ShapeOps.concat(in, axis, ctx));
      }
      case "Gather" -> {
        long axis = at.i("axis", 0);
        yield (in, ctx) -> one(ShapeOps.gather(in[0], in[1], axis, ctx));
      }
      case "Slice" -> {
        long[] s = at.ints("starts");
        long[] e = at.ints("ends");
        long[] ax = at.ints("axes");
        yield (in, ctx) ->
            opset < 10
                ? one(ShapeOps.slice(in[0], s, e, ax, null, ctx))
                : one(
                    ShapeOps.slice(
                        in[0],
                        Shapes.longs(in[1]),
                        Shapes.longs(in[2]),
                        optLongs(in, 3),
                        optLongs(in, 4),
                        ctx));
      }
      case "Pad" -> {
        String mode = at.s("mode", "constant");
        long[] pads = at.ints("pads");
        float value = at.f("value", 0.0f);
        yield (in, ctx) -> {
          if (opset < 11) {
            return one(
                ShapeOps.pad(
                    in[0], pads, mode, Nd.floats(new int[0], new float[] {value}), null, ctx));
          }
          Nd v = in.length > 2 && in[2] != null ? in[2] : null;
          return one(ShapeOps.pad(in[0], Shapes.longs(in[1]), mode, v, optLongs(in, 3), ctx));
        };
      }
      case "Expand" -> (in, ctx) -> one(ShapeOps.expand(in[0], Shapes.longs(in[1]), ctx));
      case "Tile" -> (in, ctx) -> one(ShapeOps.tile(in[0], Shapes.longs(in[1]), ctx));
      case "Split" -> {
        long axis = at.i("axis", 0);
        long[] split = at.ints("split");
        yield (in, ctx) ->
            ShapeOps.split(in[0], axis, opset >= 13 ? optLongs(in, 1) : split, nOut, ctx);
      }
      case "Range" ->
          (in, ctx) -> {
            Nd s = in[0];
            double start = s.getDouble(0);
            double limit = in[1].getDouble(0);
            double delta = in[2].getDouble(0);
            long n = (long) Math.max(0, Math.ceil((limit - start) / delta));
            Nd out = ctx.newTensor(s.type, new int[] {Math.toIntExact(n)});
            for (int i = 0; i < n; i++) {
              switch (s.type) {
                case FLOAT32 -> out.f[i] = s.f[0] + i * in[2].f[0];
                case FLOAT64 -> out.d[i] = start + i * delta;
                default -> out.l[i] = s.l[0] + i * in[2].l[0];
              }
            }
            return one(out);
          };
      case "MatMul" -> matmul();
      case "Gemm" -> gemm(at);
      case "Conv" -> {
        long[] k = at.ints("kernel_shape");
        long[] s = at.ints("strides");
        long[] p = at.ints("pads");
        long[] d = at.ints("dilations");
        String autoPad = at.s("auto_pad", "NOTSET");
        int group = at.iInt("group", 1);
        ChannelLanes.Prepared prepared = new ChannelLanes.Prepared();
        yield new ConvKernel() {
          @Override
          public Nd[] run(Nd[] in, ExecContext ctx) {
            return runWithEpilogue(in, null, ctx);
          }

          @Override
          public Nd[] runWithEpilogue(Nd[] in, Epilogue ep, ExecContext ctx) {
            return one(
                Conv.conv(in[0], in[1], opt(in, 2), k, s, p, d, autoPad, group, ep, prepared, ctx));
          }
        };
      }
      case "ConvTranspose" -> {
        long[] s = at.ints("strides");
        long[] p = at.ints("pads");
        long[] d = at.ints("dilations");
        long[] op = at.ints("output_padding");
        long[] os = at.ints("output_shape");
        String autoPad = at.s("auto_pad", "NOTSET");
        int group = at.iInt("group", 1);
        yield (in, ctx) ->
            one(Conv.convTranspose(in[0], in[1], opt(in, 2), s, p, d, op, os, autoPad, group, ctx));
      }
      case "MaxPool", "AveragePool" -> {
        boolean max = "MaxPool".equals(node.opType());
        long[] k = at.ints("kernel_shape");
        long[] s = at.ints("strides");
        long[] p = at.ints("pads");
        long[] d = at.ints("dilations");
        String autoPad = at.s("auto_pad", "NOTSET");
        boolean ceil = at.i("ceil_mode", 0) == 1;
        boolean countPad = at.i("count_include_pad", 0) == 1;
        boolean colMajor = at.i("storage_order", 0) == 1;
        boolean idx = nOut > 1 && !node.outputs().get(1).isEmpty();
        yield (in, ctx) -> {
          Nd x = in[0];
          if (x.type == DataType.FLOAT32) {
            return Conv.pool(x, max, k, s, p, d, autoPad, ceil, countPad, idx, colMajor, ctx);
          }
          if (!max || x.type == DataType.FLOAT64 || x.type.byteSize() > 2) {
            throw new RunFailure(label + ": pooling supports float32 and 8/16-bit integers");
          }
          // 8/16-bit integers are exact in float32, and max only selects, so this is exact.
          Nd[] r =
              Conv.pool(
                  Elementwise.cast(x, DataType.FLOAT32, ctx),
                  true,
                  k,
                  s,
                  p,
                  d,
                  autoPad,
                  ceil,
                  countPad,
                  idx,
                  colMajor,
                  ctx);
          r[0] = Elementwise.cast(r[0], x.type, ctx);
          return r;
        };
      }
      case "GlobalAveragePool" -> (in, ctx) -> one(Conv.globalPool(in[0], false, ctx));
      case "GlobalMaxPool" -> (in, ctx) -> one(Conv.globalPool(in[0], true, ctx));
      case "BatchNormalization" -> {
        float eps = at.f("epsilon", 1e-5f);
        if (at.i("training_mode", 0) != 0 || (opset >= 14 && nOut > 1)) {
          throw new UnsupportedOp(label + ": training-mode BatchNormalization is not supported");
        }
        yield (in, ctx) -> one(Reduce.batchNorm(in[0], in[1], in[2], in[3], in[4], eps, ctx));
      }
      case "LayerNormalization" -> {
        long axis = at.i("axis", -1);
        float eps = at.f("epsilon", 1e-5f);
        yield (in, ctx) -> {
          int ax = Shapes.axis(axis, in[0].rank(), label);
          Nd[] r = Reduce.layerNorm(in[0], in[1], opt(in, 2), ax, eps, ctx);
          return java.util.Arrays.copyOf(r, nOut);
        };
      }
      case "LRN" -> {
        float alpha = at.f("alpha", 1e-4f);
        float beta = at.f("beta", 0.75f);
        float bias = at.f("bias", 1.0f);
        int size = at.iInt("size", 1);
        yield (in, ctx) -> one(Reduce.lrn(in[0], alpha, beta, bias, size, ctx));
      }
      case "Softmax", "LogSoftmax" -> {
        boolean log = "LogSoftmax".equals(node.opType());
        long axis = at.i("axis", opset >= 13 ? -1 : 1);
        yield (in, ctx) -> {
          Nd x = in[0];
          int ax = Shapes.axis(axis, Math.max(1, x.rank()), label);
          if (opset < 13) {
            int outer = Shapes.size(x.shape, 0, ax);
            int len = Shapes.size(x.shape, ax, x.rank());
            return one(Reduce.softmax(x, outer, len, 1, log, ctx));
          }
          int outer = Shapes.size(x.shape, 0, ax);
          int inner = Shapes.size(x.shape, ax + 1, x.rank());
          return one(Reduce.softmax(x, outer, x.shape[ax], inner, log, ctx));
        };
      }
      case "ReduceSum" -> reduce(at, Reduce.Kind.SUM, opset >= 13);
      case "ReduceMean" -> reduce(at, Reduce.Kind.MEAN, opset >= 18);
      case "ReduceMax" -> reduce(at, Reduce.Kind.MAX, opset >= 18);
      case "ReduceMin" -> reduce(at, Reduce.Kind.MIN, opset >= 18);
      case "ReduceProd" -> reduce(at, Reduce.Kind.PROD, opset >= 18);
      case "ReduceSumSquare" -> reduce(at, Reduce.Kind.SUM_SQUARE, opset >= 18);
      case "ReduceL1" -> reduce(at, Reduce.Kind.L1, opset >= 18);
      case "ReduceL2" -> reduce(at, Reduce.Kind.L2, opset >= 18);
      case "ReduceLogSum" -> reduce(at, Reduce.Kind.LOG_SUM, opset >= 18);
      case "ReduceLogSumExp" -> reduce(at, Reduce.Kind.LOG_SUM_EXP, opset >= 18);
      case "ArgMax", "ArgMin" -> argExtreme(at, "ArgMax".equals(node.opType()));
      default -> throw new UnsupportedOp("unsupported operator " + node.opType());
    };
  }

  private static Nd[] one(Nd x) {
    return new Nd[] {x};
  }

  private static Nd opt(Nd[] in, int i) {
    return in.length > i ? in[i] : null;
  }

  private static long[] optLongs(Nd[] in, int i) {
    return in.length > i && in[i] != null ? Shapes.longs(in[i]) : null;
  }

  private static Kernel binary(Bin op) {
    return (in, ctx) -> one(Elementwise.binary(op, in[0], in[1], ctx));
  }

  private static Kernel cmp(Cmp op) {
    return (in, ctx) -> one(Elementwise.compare(op, in[0], in[1], ctx));
  }

  /** Left fold in input order: ((x0 op x1) op x2) ...; Mean divides the fold by the count. */
  private static Kernel variadic(Bin op, boolean mean) {
    return (in, ctx) -> {
      Nd acc = in[0];
      for (int i = 1; i < in.length; i++) {
        acc = Elementwise.binary(op, acc, in[i], ctx);
      }
      if (in.length == 1) {
        acc = Elementwise.binary(Bin.ADD, acc, Nd.zeros(acc.type, new int[0]), ctx);
      }
      if (mean) {
        Nd n = Nd.zeros(acc.type, new int[0]);
        switch (acc.type) {
          case FLOAT32 -> n.f[0] = in.length;
          case FLOAT64 -> n.d[0] = in.length;
          default -> n.l[0] = in.length;
        }
        acc = Elementwise.binary(Bin.DIV, acc, n, ctx);
      }
      return one(acc);
    };
  }

  private static Kernel unary(
      Elementwise.FloatFn f, Elementwise.DoubleFn d, java.util.function.LongUnaryOperator l) {
    return (in, ctx) ->
        one(
            l == null
                ? Elementwise.unary(in[0], f, d, ctx, "operator")
                : Elementwise.unaryAny(in[0], f, d, l, ctx, "operator"));
  }

  /** Float32 via the float64 function rounded once. */
  private static Kernel unaryD(Elementwise.DoubleFn d) {
    return unary(x -> (float) d.apply(x), d, null);
  }

  private static Kernel clip(Attrs at, long opset) {
    float minA = at.f("min", Float.NEGATIVE_INFINITY);
    float maxA = at.f("max", Float.POSITIVE_INFINITY);
    return (in, ctx) -> {
      Nd x = in[0];
      Nd lo = opset >= 11 ? opt(in, 1) : null;
      Nd hi = opset >= 11 ? opt(in, 2) : null;
      Nd out = ctx.newTensor(x.type, x.shape);
      if (x.type == DataType.FLOAT32) {
        float a = lo != null ? lo.f[0] : opset >= 11 ? Float.NEGATIVE_INFINITY : minA;
        float b = hi != null ? hi.f[0] : opset >= 11 ? Float.POSITIVE_INFINITY : maxA;
        for (int i = 0; i < x.size; i++) {
          float v = x.f[i];
          out.f[i] = v < a ? a : v > b ? b : v;
        }
      } else if (x.type == DataType.FLOAT64) {
        double a = lo != null ? lo.d[0] : Double.NEGATIVE_INFINITY;
        double b = hi != null ? hi.d[0] : Double.POSITIVE_INFINITY;
        for (int i = 0; i < x.size; i++) {
          double v = x.d[i];
          out.d[i] = v < a ? a : v > b ? b : v;
        }
      } else {
        long a = lo != null ? lo.l[0] : Long.MIN_VALUE;
        long b = hi != null ? hi.l[0] : Long.MAX_VALUE;
        for (int i = 0; i < x.size; i++) {
          long v = x.l[i];
          out.l[i] = v < a ? a : v > b ? b : v;
        }
      }
      return one(out);
    };
  }

  private static Kernel dropout(Attrs at, long opset, int nOut) {
    return (in, ctx) -> {
      if (opset >= 12 && in.length > 2 && in[2] != null && in[2].getLong(0) != 0) {
        double ratio = in.length > 1 && in[1] != null ? in[1].getDouble(0) : 0.5;
        if (ratio != 0) {
          throw new RunFailure(ctx.where() + ": training-mode Dropout is random and not supported");
        }
      }
      Nd x = in[0];
      if (nOut < 2) {
        return one(x);
      }
      Nd mask = ctx.newTensor(DataType.BOOL, x.shape);
      java.util.Arrays.fill(mask.l, 1);
      return new Nd[] {x, mask};
    };
  }

  private static Kernel constant(Attrs at, String label) throws UnsupportedOp {
    Nd v;
    if (at.has("value")) {
      v = at.t("value");
    } else if (at.has("value_float")) {
      v = Nd.floats(new int[0], new float[] {at.f("value_float", 0)});
    } else if (at.has("value_floats")) {
      float[] f = at.floats("value_floats");
      v = Nd.floats(new int[] {f.length}, f);
    } else if (at.has("value_int")) {
      v = Nd.longs(DataType.INT64, new int[0], new long[] {at.i("value_int", 0)});
    } else if (at.has("value_ints")) {
      long[] l = at.ints("value_ints");
      v = Nd.longs(DataType.INT64, new int[] {l.length}, l);
    } else {
      throw new UnsupportedOp(label + ": Constant without a supported value attribute");
    }
    Nd value = v;
    return (in, ctx) -> one(value);
  }

  /**
   * A 2-D right operand prepared once per model when it is the same constant tensor on every run
   * (identity of the value): transposed for the scalar path, packed into panels for the vector
   * path. Only values move, so results are unchanged.
   */
  private static final class PreparedB {
    private record Entry(Nd src, boolean transposed, boolean packed, float[] data) {}

    private final java.util.concurrent.atomic.AtomicReference<Entry> cache =
        new java.util.concurrent.atomic.AtomicReference<>();

    /** B (or Bᵀ when {@code transpose}) in row-major K×N form, or packed when {@code pack}. */
    float[] get(Nd b, boolean transpose, boolean pack, ExecContext ctx) {
      Entry e = cache.get();
      if (e != null && e.src == b && e.transposed == transpose && e.packed == pack) {
        return e.data;
      }
      float[] m = transpose ? MatOps.transpose2d(b.f, b.shape[0], b.shape[1], ctx) : b.f;
      int k = transpose ? b.shape[1] : b.shape[0];
      int n = transpose ? b.shape[0] : b.shape[1];
      float[] data = m;
      if (pack) {
        data = ctx.scratch(Gemm.packedSize(k, n), "packed weights");
        Gemm.packB(m, 0, n, k, n, data, ctx);
      }
      cache.set(new Entry(b, transpose, pack, data));
      return data;
    }
  }

  private static Kernel gemm(Attrs at) {
    float alpha = at.f("alpha", 1.0f);
    float beta = at.f("beta", 1.0f);
    boolean ta = at.i("transA", 0) == 1;
    boolean tb = at.i("transB", 0) == 1;
    PreparedB prepared = new PreparedB();
    return (in, ctx) -> {
      Nd b = in[1];
      float[] bT = null;
      float[] packed = null;
      if (b.rank() == 2 && b.type == DataType.FLOAT32) {
        if (ctx.fast()) {
          packed = prepared.get(b, tb, true, ctx);
        } else if (tb) {
          bT = prepared.get(b, true, false, ctx);
        }
      }
      return one(MatOps.gemm(in[0], b, opt(in, 2), alpha, beta, ta, tb, bT, packed, ctx));
    };
  }

  private static Kernel matmul() {
    PreparedB prepared = new PreparedB();
    return (in, ctx) -> {
      Nd b = in[1];
      float[] packed =
          ctx.fast()
                  && b.rank() == 2
                  && b.type == DataType.FLOAT32
                  && in[0].type == DataType.FLOAT32
              ? prepared.get(b, false, true, ctx)
              : null;
      return one(MatOps.matmul(in[0], b, packed, ctx));
    };
  }

  private static Kernel reduce(Attrs at, Reduce.Kind kind, boolean axesInput) {
    long[] axesAttr = at.ints("axes");
    boolean keep = at.i("keepdims", 1) == 1;
    boolean noop = at.i("noop_with_empty_axes", 0) == 1;
    return (in, ctx) -> {
      long[] axes = axesInput ? optLongs(in, 1) : axesAttr;
      if (axes != null && axes.length == 0) {
        axes = null;
      }
      if (axes == null && noop) {
        return one(in[0]);
      }
      return one(
          Reduce.reduce(in[0], kind, axes == null ? null : Shapes.ints(axes, "axes"), keep, ctx));
    };
  }

  private static Kernel argExtreme(Attrs at, boolean max) {
    long axisAttr = at.i("axis", 0);
    boolean keep = at.i("keepdims", 1) == 1;
    boolean last = at.i("select_last_index", 0) == 1;
    return (in, ctx) -> {
      Nd x = in[0];
      int axis = Shapes.axis(axisAttr, x.rank(), ctx.where());
      int outer = Shapes.size(x.shape, 0, axis);
      int len = x.shape[axis];
      int inner = Shapes.size(x.shape, axis + 1, x.rank());
      int[] shape = x.shape.clone();
      shape[axis] = 1;
      if (!keep) {
        int[] s = new int[x.rank() - 1];
        for (int i = 0, j = 0; i < x.rank(); i++) {
          if (i != axis) {
            s[j++] = x.shape[i];
          }
        }
        shape = s;
      }
      Nd out = ctx.newTensor(DataType.INT64, shape);
      for (int o = 0; o < outer; o++) {
        for (int j = 0; j < inner; j++) {
          int best = 0;
          double bv = x.getDouble(o * len * inner + j);
          for (int i = 1; i < len; i++) {
            double v = x.getDouble((o * len + i) * inner + j);
            boolean better = max ? (last ? v >= bv : v > bv) : (last ? v <= bv : v < bv);
            if (better) {
              best = i;
              bv = v;
            }
          }
          out.l[o * inner + j] = best;
        }
      }
      return one(out);
    };
  }

  static DataType dtype(long code, String label) throws UnsupportedOp {
    try {
      DataType t = DataType.fromOnnxCode((int) code);
      if (!Nd.supported(t)) {
        throw new UnsupportedOp(label + ": data type " + t + " is not supported");
      }
      return t;
    } catch (IllegalArgumentException e) {
      throw new UnsupportedOp(label + ": data type " + code + " is not supported");
    }
  }
}
