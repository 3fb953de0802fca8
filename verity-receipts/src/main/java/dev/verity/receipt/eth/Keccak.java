package dev.verity.receipt.eth;

import dev.verity.core.Bytes;
import org.bouncycastle.crypto.digests.KeccakDigest;

/** Keccak-256 as Ethereum uses it (original Keccak padding, not SHA3-256). */
public final class Keccak {
  private Keccak() {}

  public static byte[] keccak256(byte[]... parts) {
    KeccakDigest d = new KeccakDigest(256);
    for (byte[] p : parts) {
      d.update(p, 0, p.length);
    }
    byte[] out = new byte[32];
    d.doFinal(out, 0);
    return out;
  }

  public static Bytes keccak256(Bytes data) {
    return Bytes.copyOf(keccak256(data.toByteArray()));
  }
}
