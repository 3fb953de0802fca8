package dev.verity.receipt.eth;

import dev.verity.core.Digest;
import java.security.DigestException;
import java.security.MessageDigest;
import org.bouncycastle.crypto.ExtendedDigest;

/**
 * BouncyCastle's digest interface over the JDK's SHA-256, whose compression runs as a CPU
 * intrinsic: the RFC 6979 nonce of a secp256k1 signature takes a dozen HMAC-SHA256 blocks, which
 * BouncyCastle's pure-Java SHA-256 makes a sizeable part of the signing time.
 */
final class JdkSha256 implements ExtendedDigest {
  private final MessageDigest md = Digest.newSha256();

  @Override
  public String getAlgorithmName() {
    return "SHA-256";
  }

  @Override
  public int getDigestSize() {
    return 32;
  }

  /** The SHA-256 block size, which HMAC pads its key to. */
  @Override
  public int getByteLength() {
    return 64;
  }

  @Override
  public void update(byte in) {
    md.update(in);
  }

  @Override
  public void update(byte[] in, int off, int len) {
    md.update(in, off, len);
  }

  @Override
  public int doFinal(byte[] out, int off) {
    try {
      return md.digest(out, off, 32);
    } catch (DigestException e) {
      throw new IllegalArgumentException("no room for a SHA-256 digest at offset " + off, e);
    }
  }

  @Override
  public void reset() {
    md.reset();
  }
}
