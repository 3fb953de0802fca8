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
        FloatVector r = (FloatVector) lanes(x).convertShape(VectorOperators.D2F, F, 0);
        r.intoArray(a, off + i);
      }
    }
    for (; i < n; i++) {
      a[off + i] = (float) StrictMath.exp((double) a[off + i]);
    }
  }

  /** fdlibm exp for |x| &lt; 700 (no overflow, underflow or subnormal scaling). */
  static DoubleVector lanes(DoubleVector x) {
    LongVector bits = x.reinterpretAsLongs();
    LongVector hx = bits.lanewise(VectorOperators.LSHR, 32).and(0x7fffffffL);
    VectorMask<Long> negL = bits.compare(VectorOperators.LT, 0L);
    VectorMask<Double> neg = negL.cast(D);
    VectorMask<Double> reduce = hx.compare(VectorOperators.GT, 0x3fd62e42L).cast(D);
    VectorMask<Long> nearL = hx.compare(VectorOperators.LT, 0x3FF0A2B2L);
    VectorMask<Double> near = nearL.cast(D);
    VectorMask<Double> tiny = hx.compare(VectorOperators.LT, 0x3e300000L).cast(D);

    // |x| in (0.5 ln2, 1.5 ln2): k = ±1, hi = x - (±ln2HI), lo = ±ln2LO.
    DoubleVector ln2hiS = DoubleVector.broadcast(D, LN2_HI).blend(-LN2_HI, neg);
    DoubleVector ln2loS = DoubleVector.broadcast(D, LN2_LO).blend(-LN2_LO, neg);
    DoubleVector hiNear = x.sub(ln2hiS);
    LongVector kNear = LongVector.broadcast(D.withLanes(long.class), 1L).blend(-1L, negL);
    // Otherwise: k = (int)(invln2*x + ±0.5), hi = x - k*ln2HI, lo = k*ln2LO.
    DoubleVector half = DoubleVector.broadcast(D, 0.5).blend(-0.5, neg);
    LongVector kGen = (LongVector) x.mul(INV_LN2).add(half).convert(VectorOperators.D2L, 0);
    DoubleVector t = (DoubleVector) kGen.convert(VectorOperators.L2D, 0);
    DoubleVector hiGen = x.sub(t.mul(LN2_HI));
    DoubleVector loGen = t.mul(LN2_LO);

    LongVector k = kGen.blend(kNear, nearL);
    DoubleVector hi = hiGen.blend(hiNear, near);
    DoubleVector lo = loGen.blend(ln2loS, near);
    DoubleVector xr = x.blend(hi.sub(lo), reduce);

    DoubleVector tt = xr.mul(xr);
    DoubleVector poly = tt.mul(P5).add(P4).mul(tt).add(P3).mul(tt).add(P2).mul(tt).add(P1).mul(tt);
    // c = xr - t*(P1 + t*(P2 + t*(P3 + t*(P4 + t*P5)))) — the same operation order.
    DoubleVector c = xr.sub(poly);
    DoubleVector xc = xr.mul(c);
    DoubleVector y0 = DoubleVector.broadcast(D, 1.0).sub(xc.div(c.sub(2.0)).sub(xr));
    DoubleVector y1 =
        DoubleVector.broadcast(D, 1.0)
            .sub(lo.sub(xc.div(DoubleVector.broadcast(D, 2.0).sub(c))).sub(hi));
    DoubleVector scaled =
        y1.reinterpretAsLongs().add(k.lanewise(VectorOperators.LSHL, 52)).reinterpretAsDoubles();
    DoubleVector y = y0.blend(scaled, reduce);
    return y.blend(x.add(1.0), tiny);
  }
}
