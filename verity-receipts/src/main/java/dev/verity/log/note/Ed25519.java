package dev.verity.log.note;

import dev.verity.core.Bytes;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/** RFC 8032 Ed25519 over raw 32-byte keys (BouncyCastle lightweight API). */
final class Ed25519 {
  private Ed25519() {}

  /**
   * The signing key for {@code seed}. Keep it for every signature it makes: it caches its public
   * key, which otherwise costs a scalar multiplication per signature (as much as the signing).
   */
  static Ed25519PrivateKeyParameters privateKey(byte[] seed) {
    return new Ed25519PrivateKeyParameters(seed, 0);
  }

  static byte[] publicKey(Ed25519PrivateKeyParameters key) {
    return key.generatePublicKey().getEncoded();
  }

  static byte[] sign(Ed25519PrivateKeyParameters key, byte[] message) {
    Ed25519Signer s = new Ed25519Signer();
    s.init(true, key);
    s.update(message, 0, message.length);
    return s.generateSignature();
  }

  static boolean verify(Bytes publicKey, byte[] message, byte[] signature) {
    if (signature.length != 64) {
      return false;
    }
    Ed25519Signer s = new Ed25519Signer();
    s.init(false, new Ed25519PublicKeyParameters(publicKey.toByteArray(), 0));
    s.update(message, 0, message.length);
    return s.verifySignature(signature);
  }
}
