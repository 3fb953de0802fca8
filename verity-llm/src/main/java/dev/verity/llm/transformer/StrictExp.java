package dev.verity.llm.transformer;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code (float) StrictMath.exp((double) x)} for arrays of floats, with vector lanes. The lanes run
 * the fdlibm {@code e_exp.c} algorithm that {@link StrictMath#exp} specifies, operation for
 * operation in double precision (no fused multiply-add), so every result has exactly the bits of
 * the scalar call; arguments outside |x| &lt; 700, NaN and infinities take the scalar call itself.
 * Tested against {@link StrictMath#exp} over millions of floats.
 */
public final class StrictExp {
  private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Float> F =
      VectorSpecies.of(float.class, VectorShape.forBitSize(D.vectorBitSize() / 2));
  private static final int L = D.length();

  private static final double LN2_HI = 0x1.62e42feep-1;
  private static final double LN2_LO = 0x1.a39ef35793c76p-33;
  private static final double INV_LN2 = 0x1.71547652b82fep0;
  private static final double P1 = 0x1.555555555553ep-3;
  private static final double P2 = -0x1.6c16c16bebd93p-9;
  private static final double P3 = 0x1.1566aaf25de2cp-14;
  private static final double P4 = -0x1.bbd41c5d26bf1p-20;
  private static final double P5 = 0x1.6376972bea4d0p-25;

  private StrictExp() {}

  /** {@code a[i] = (float) StrictMath.exp((double) a[i])} for i in [off, off + n). */
  public static void expInPlace(float[] a, int off, int n) {
    int i = 0;
    if (F.length() == L) {
      for (; i + L <= n; i += L) {
        DoubleVector x =
            (DoubleVector)
                FloatVector.fromArray(F, a, off + i).convertShape(VectorOperators.F2D, D, 0);
        if (!x.abs().compare(VectorOperators.LT, 700.0).allTrue()) {
          for (int j = 0; j < L; j++) {
            a[off + i + j] = (float) StrictMath.exp((double) a[off + i + j]);
          }
          continue;
        }
        // fdlibm e_exp.c for |x| < 700 (no overflow, underflow or subnormal scaling), written
        // out here in one method so the JIT keeps every value in vector registers.
        DoubleVector ax = x.abs();
        VectorMask<Double> neg = x.compare(VectorOperators.LT, 0.0);
        VectorMask<Double> reduce = ax.compare(VectorOperators.GE, REDUCE_MIN);
        VectorMask<Double> near = ax.compare(VectorOperators.LT, NEAR_MAX);
        VectorMask<Double> tiny = ax.compare(VectorOperators.LT, TINY_MAX);

        // |x| in (0.5 ln2, 1.5 ln2): k = ±1, hi = x - (±ln2HI), lo = ±ln2LO.
        DoubleVector ln2hiS = DoubleVector.broadcast(D, LN2_HI).blend(-LN2_HI, neg);
        DoubleVector ln2loS = DoubleVector.broadcast(D, LN2_LO).blend(-LN2_LO, neg);
        DoubleVector kNear = DoubleVector.broadcast(D, 1.0).blend(-1.0, neg);
        DoubleVector hiNear = x.sub(ln2hiS);
        // Otherwise: k = (int)(invln2*x + ±0.5), t = k, hi = x - t*ln2HI, lo = t*ln2LO.
        DoubleVector half = DoubleVector.broadcast(D, 0.5).blend(-0.5, neg);
        DoubleVector t =
            (DoubleVector)
                x.mul(INV_LN2)
                    .add(half)
                    .convert(VectorOperators.D2L, 0)
                    .convert(VectorOperators.L2D, 0);
        DoubleVector hiGen = x.sub(t.mul(LN2_HI));
        DoubleVector loGen = t.mul(LN2_LO);

        DoubleVector kd = t.blend(kNear, near);
        DoubleVector hi = hiGen.blend(hiNear, near);
        DoubleVector lo = loGen.blend(ln2loS, near);
        DoubleVector xr = x.blend(hi.sub(lo), reduce);

        DoubleVector tt = xr.mul(xr);
        // c = xr - t*(P1 + t*(P2 + t*(P3 + t*(P4 + t*P5)))) with the same operation order.
        DoubleVector poly =
            tt.mul(P5).add(P4).mul(tt).add(P3).mul(tt).add(P2).mul(tt).add(P1).mul(tt);
        DoubleVector c = xr.sub(poly);
        DoubleVector xc = xr.mul(c);
        DoubleVector y0 = DoubleVector.broadcast(D, 1.0).sub(xc.div(c.sub(2.0)).sub(xr));
        DoubleVector y1 =
            DoubleVector.broadcast(D, 1.0)
                .sub(lo.sub(xc.div(DoubleVector.broadcast(D, 2.0).sub(c))).sub(hi));
        // Add k to the exponent: k << 52 on the bits, as fdlibm adds k << 20 to the high word.
        LongVector k = (LongVector) kd.convert(VectorOperators.D2L, 0);
        DoubleVector scaled =
            y1.reinterpretAsLongs()
                .add(k.lanewise(VectorOperators.LSHL, 52))
                .reinterpretAsDoubles();
        DoubleVector y = y0.blend(scaled, reduce);
        FloatVector r =
            (FloatVector) y.blend(x.add(1.0), tiny).convertShape(VectorOperators.D2F, F, 0);
        r.intoArray(a, off + i);
      }
    }
    for (; i < n; i++) {
      a[off + i] = (float) StrictMath.exp((double) a[off + i]);
    }
  }

  // fdlibm tests the high word hx of |x|; for non-negative doubles bit order is value order, so
  // "hx > H" is "|x| >= double with bits (H+1) << 32" and "hx < H" is "|x| < bits H << 32".
  private static final double REDUCE_MIN = Double.longBitsToDouble(0x3fd62e43_00000000L);
  private static final double NEAR_MAX = Double.longBitsToDouble(0x3FF0A2B2_00000000L);
  private static final double TINY_MAX = Double.longBitsToDouble(0x3e300000_00000000L);
}
