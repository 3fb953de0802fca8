package dev.verity.receipt.eth;

import dev.verity.core.Bytes;
import java.util.Objects;

/**
 * A 65-byte Ethereum signature {@code r || s || v} as Solidity's ecrecover takes it. Structure
 * only: {@link Secp256k1#recover} enforces low s and v in {27, 28}.
 */
public record EthSignature(Bytes r, Bytes s, int v) {
  public static final int LENGTH = 65;

  public EthSignature {
    Objects.requireNonNull(r, "r");
    Objects.requireNonNull(s, "s");
    if (r.length() != 32 || s.length() != 32) {
      throw new IllegalArgumentException("signature r and s must be 32 bytes each");
    }
    if (v < 0 || v > 255) {
      throw new IllegalArgumentException("signature v must be one byte, got " + v);
    }
  }

  public static EthSignature fromBytes(Bytes rsv) {
    if (rsv.length() != LENGTH) {
      throw new IllegalArgumentException(
          "signature must be 65 bytes r || s || v, got " + rsv.length());
    }
    byte[] b = rsv.toByteArray();
    return new EthSignature(
        Bytes.copyOf(java.util.Arrays.copyOfRange(b, 0, 32)),
        Bytes.copyOf(java.util.Arrays.copyOfRange(b, 32, 64)),
        b[64] & 0xff);
  }

  /** Parses {@code 0x} + 130 hex digits. */
  public static EthSignature parseHex(String text) {
    Objects.requireNonNull(text, "signature");
    if (!text.startsWith("0x") || text.length() != 2 + 2 * LENGTH) {
      throw new IllegalArgumentException("signature must be 0x followed by 130 hex digits");
    }
    for (int i = 2; i < text.length(); i++) {
      char c = text.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        throw new IllegalArgumentException("signature must be lower-case hex");
      }
    }
    return fromBytes(Bytes.fromHex(text.substring(2)));
  }

  public Bytes toBytes() {
    return r.concat(s).concat(Bytes.copyOf(new byte[] {(byte) v}));
  }

  public String toHex() {
    return "0x" + toBytes().toHex();
  }

  @Override
  public String toString() {
    return toHex();
  }
}
