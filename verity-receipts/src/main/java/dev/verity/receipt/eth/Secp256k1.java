package dev.verity.receipt.eth;

import dev.verity.core.Bytes;
import java.math.BigInteger;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.asn1.x9.X9IntegerConverter;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.math.ec.ECAlgorithms;
import org.bouncycastle.math.ec.ECMultiplier;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;
import org.bouncycastle.util.BigIntegers;

/**
 * secp256k1 ECDSA the Ethereum way: RFC 6979 deterministic nonces (HMAC-SHA256), low-s
 * normalisation, and public-key recovery so a verifier needs only the signer's address.
 */
public final class Secp256k1 {
  private static final X9ECParameters PARAMS = CustomNamedCurves.getByName("secp256k1");
  static final ECDomainParameters DOMAIN =
      new ECDomainParameters(PARAMS.getCurve(), PARAMS.getG(), PARAMS.getN(), PARAMS.getH());
  static final BigInteger N = PARAMS.getN();
  static final BigInteger HALF_N = N.shiftRight(1);
  private static final BigInteger P = PARAMS.getCurve().getField().getCharacteristic();
  private static final ECMultiplier BASE = new FixedPointCombMultiplier();

  private Secp256k1() {}

  public static boolean isValidPrivateKey(BigInteger d) {
    return d.signum() > 0 && d.compareTo(N) < 0;
  }

  /** 64-byte X || Y of {@code d * G}. */
  public static byte[] publicKey(BigInteger d) {
    byte[] enc = BASE.multiply(DOMAIN.getG(), d).normalize().getEncoded(false);
    return java.util.Arrays.copyOfRange(enc, 1, 65);
  }

  /**
   * Signs a 32-byte digest with the RFC 6979 nonce (HMAC-SHA256), exactly as BouncyCastle's
   * ECDSASigner would, but keeping the nonce point so the recovery id comes for free: v = 27 +
   * parity of R.y, flipped when s is replaced by n - s (low-s form).
   */
  public static EthSignature sign(byte[] digest32, BigInteger d) {
    checkDigest(digest32);
    if (!isValidPrivateKey(d)) {
      throw new IllegalArgumentException("not a valid secp256k1 private key");
    }
    HMacDSAKCalculator kc = new HMacDSAKCalculator(new JdkSha256());
    kc.init(N, d, digest32);
    BigInteger e = new BigInteger(1, digest32);
    while (true) {
      BigInteger k = kc.nextK();
      ECPoint bigR = BASE.multiply(DOMAIN.getG(), k).normalize();
      BigInteger x = bigR.getAffineXCoord().toBigInteger();
      BigInteger r = x.mod(N);
      if (r.signum() == 0 || x.compareTo(N) >= 0) {
        // x >= n would need recovery ids 2 or 3, which Ethereum's v cannot express (p ~ 2^-128).
        continue;
      }
      // BigInteger.modInverse is generic and several times slower on 256-bit odd moduli.
      BigInteger s = BigIntegers.modOddInverse(N, k).multiply(e.add(d.multiply(r))).mod(N);
      if (s.signum() == 0) {
        continue;
      }
      int recId = bigR.getAffineYCoord().testBitZero() ? 1 : 0;
      if (s.compareTo(HALF_N) > 0) {
        s = N.subtract(s);
        recId ^= 1;
      }
      return new EthSignature(to32(r), to32(s), 27 + recId);
    }
  }

  /**
   * What ecrecover returns, with the checks that make signatures unique: v in {27, 28}, 0 < r < n,
   * 0 < s <= n/2.
   */
  public static EthAddress recover(Bytes digest, EthSignature sig)
      throws InvalidSignatureException {
    byte[] d = digest.toByteArray();
    checkDigest(d);
    if (sig.v() != 27 && sig.v() != 28) {
      throw new InvalidSignatureException("signature v must be 27 or 28, got " + sig.v());
    }
    BigInteger r = new BigInteger(1, sig.r().toByteArray());
    BigInteger s = new BigInteger(1, sig.s().toByteArray());
    if (r.signum() == 0 || r.compareTo(N) >= 0) {
      throw new InvalidSignatureException("signature r is out of range");
    }
    if (s.signum() == 0 || s.compareTo(N) >= 0) {
      throw new InvalidSignatureException("signature s is out of range");
    }
    if (s.compareTo(HALF_N) > 0) {
      throw new InvalidSignatureException(
          "signature s is in the upper half of the curve order (malleated, high-s signature)");
    }
    ECPoint q = recoverPoint(d, r, s, sig.v() - 27);
    if (q == null) {
      throw new InvalidSignatureException("no public key recovers from this signature");
    }
    return EthAddress.fromPublicKey(xy(q));
  }

  // SEC 1 v2 section 4.1.6, restricted to recovery ids 0 and 1 (x = r).
  private static ECPoint recoverPoint(byte[] digest, BigInteger r, BigInteger s, int recId) {
    if (r.compareTo(P) >= 0) {
      return null;
    }
    ECPoint bigR;
    try {
      X9IntegerConverter conv = new X9IntegerConverter();
      byte[] comp = conv.integerToBytes(r, 1 + conv.getByteLength(DOMAIN.getCurve()));
      comp[0] = (byte) ((recId & 1) == 1 ? 0x03 : 0x02);
      bigR = DOMAIN.getCurve().decodePoint(comp);
    } catch (IllegalArgumentException e) {
      return null;
    }
    BigInteger e = new BigInteger(1, digest);
    BigInteger rInv = BigIntegers.modOddInverse(N, r);
    BigInteger u1 = N.subtract(e).multiply(rInv).mod(N);
    BigInteger u2 = s.multiply(rInv).mod(N);
    ECPoint q = ECAlgorithms.sumOfTwoMultiplies(DOMAIN.getG(), u1, bigR, u2).normalize();
    return q.isInfinity() ? null : q;
  }

  private static byte[] xy(ECPoint q) {
    byte[] enc = q.getEncoded(false);
    return java.util.Arrays.copyOfRange(enc, 1, 65);
  }

  private static Bytes to32(BigInteger v) {
    byte[] b = v.toByteArray();
    byte[] out = new byte[32];
    int n = Math.min(b.length, 32);
    System.arraycopy(b, b.length - n, out, 32 - n, n);
    return Bytes.copyOf(out);
  }

  private static void checkDigest(byte[] d) {
    if (d.length != 32) {
      throw new IllegalArgumentException("a signed digest has 32 bytes, got " + d.length);
    }
  }
}
