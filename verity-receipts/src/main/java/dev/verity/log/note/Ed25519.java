package dev.verity.log.note;

import dev.verity.core.Bytes;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/** RFC 8032 Ed25519 over raw 32-byte keys (BouncyCastle lightweight API). */
final class Ed25519 {
  private Ed25519() {}

  static byte[] publicKey(byte[] seed) {
    return new Ed25519PrivateKeyParameters(seed, 0).generatePublicKey().getEncoded();
  }

  static byte[] sign(byte[] seed, byte[] message) {
    Ed25519Signer s = new Ed25519Signer();
    s.init(true, new Ed25519PrivateKeyParameters(seed, 0));
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
