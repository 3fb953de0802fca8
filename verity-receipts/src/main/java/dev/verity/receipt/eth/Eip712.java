package dev.verity.receipt.eth;

import dev.verity.core.Bytes;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/** EIP-712 encoding helpers: every encoded member is one 32-byte word. */
public final class Eip712 {
  public static final String DOMAIN_TYPE =
      "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)";
  public static final Bytes DOMAIN_TYPEHASH = typeHash(DOMAIN_TYPE);

  private Eip712() {}

  public static Bytes typeHash(String encodedType) {
    return Bytes.copyOf(Keccak.keccak256(encodedType.getBytes(StandardCharsets.UTF_8)));
  }

  /** {@code string} members are encoded as keccak256 of their UTF-8 bytes. */
  public static byte[] string(String s) {
    return Keccak.keccak256(s.getBytes(StandardCharsets.UTF_8));
  }

  /** {@code address}: 12 zero bytes then the 20 address bytes. */
  public static byte[] address(EthAddress a) {
    byte[] out = new byte[32];
    System.arraycopy(a.value().toByteArray(), 0, out, 12, 20);
    return out;
  }

  /** {@code uintN}: big-endian, left-padded; {@code v} is read as unsigned 64-bit. */
  public static byte[] uint(long v) {
    byte[] out = new byte[32];
    for (int i = 0; i < 8; i++) {
      out[31 - i] = (byte) (v >>> (8 * i));
    }
    return out;
  }

  public static byte[] uint(BigInteger v) {
    if (v.signum() < 0 || v.bitLength() > 256) {
      throw new IllegalArgumentException("not a uint256: " + v);
    }
    byte[] b = v.toByteArray();
    byte[] out = new byte[32];
    int n = Math.min(b.length, 32);
    System.arraycopy(b, b.length - n, out, 32 - n, n);
    return out;
  }

  /** {@code bytes32}. */
  public static byte[] bytes32(Bytes b) {
    if (b.length() != 32) {
      throw new IllegalArgumentException("bytes32 needs 32 bytes, got " + b.length());
    }
    return b.toByteArray();
  }

  /** hashStruct = keccak256(typeHash || encodeData). */
  public static Bytes hashStruct(Bytes typeHash, byte[]... words) {
    byte[][] parts = new byte[words.length + 1][];
    parts[0] = typeHash.toByteArray();
    for (int i = 0; i < words.length; i++) {
      if (words[i].length != 32) {
        throw new IllegalArgumentException("member " + i + " is not one 32-byte word");
      }
      parts[i + 1] = words[i];
    }
    return Bytes.copyOf(Keccak.keccak256(parts));
  }

  public static Bytes domainSeparator(
      String name, String version, BigInteger chainId, EthAddress verifyingContract) {
    return hashStruct(
        DOMAIN_TYPEHASH, string(name), string(version), uint(chainId), address(verifyingContract));
  }

  /** keccak256(0x19 0x01 || domainSeparator || structHash): the digest that gets signed. */
  public static Bytes digest(Bytes domainSeparator, Bytes structHash) {
    return Bytes.copyOf(
        Keccak.keccak256(
            new byte[] {0x19, 0x01}, domainSeparator.toByteArray(), structHash.toByteArray()));
  }
}
