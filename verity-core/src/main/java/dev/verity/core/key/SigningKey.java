package dev.verity.core.key;

import dev.verity.core.Bytes;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.util.Objects;

/**
 * An Ed25519 private key, backed by the JDK's SunEC provider.
 *
 * <p>The key is its 32-byte RFC 8032 seed. It never appears in {@link #toString()}, and nothing in
 * Verity logs it; only {@link KeyFiles} writes it, to a 0600 file.
 */
public final class SigningKey {
  public static final int SEED_LENGTH = 32;

  private final PrivateKey privateKey;
  private final byte[] seed;
  private final VerifyingKey verifyingKey;

  private SigningKey(PrivateKey privateKey, byte[] seed, VerifyingKey verifyingKey) {
    this.privateKey = privateKey;
    this.seed = seed;
    this.verifyingKey = verifyingKey;
  }

  /** A fresh key from the platform's strong random source. */
  public static SigningKey generate() {
    byte[] seed = new byte[SEED_LENGTH];
    try {
      SecureRandom.getInstanceStrong().nextBytes(seed);
    } catch (GeneralSecurityException e) {
      new SecureRandom().nextBytes(seed);
    }
    return fromSeed(seed);
  }

  /**
   * The key whose RFC 8032 secret (seed) is {@code seed}. Deterministic: the same seed always gives
   * the same key pair and, Ed25519 being deterministic, the same signatures. Used for key files and
   * for the fixed keys of golden test vectors.
   */
  public static SigningKey fromSeed(Bytes seed) {
    Objects.requireNonNull(seed, "seed");
    if (seed.length() != SEED_LENGTH) {
      throw new IllegalArgumentException("an Ed25519 seed has 32 bytes, got " + seed.length());
    }
    return fromSeed(seed.toByteArray());
  }

  private static SigningKey fromSeed(byte[] seed) {
    try {
      PrivateKey priv =
          KeyFactory.getInstance("Ed25519")
              .generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, seed.clone()));
      // The JDK has no public API deriving the public key from a seed, but its key pair
      // generator takes the seed as the next 32 random bytes; feeding it ours derives the pair.
      KeyPairGenerator gen = KeyPairGenerator.getInstance("Ed25519");
      gen.initialize(NamedParameterSpec.ED25519, new FixedSeed(seed));
      KeyPair pair = gen.generateKeyPair();
      return new SigningKey(priv, seed.clone(), VerifyingKey.fromJdk(pair.getPublic()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 is not available in this JDK", e);
    }
  }

  public VerifyingKey verifyingKey() {
    return verifyingKey;
  }

  /** The 64-byte Ed25519 signature of {@code message}. */
  public Bytes sign(Bytes message) {
    Objects.requireNonNull(message, "message");
    try {
      Signature signer = Signature.getInstance("Ed25519");
      signer.initSign(privateKey);
      signer.update(message.toByteArray());
      return Bytes.copyOf(signer.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 signing failed", e);
    }
  }

  /** The secret seed; package-private so only {@link KeyFiles} can persist it. */
  Bytes seed() {
    return Bytes.copyOf(seed);
  }

  @Override
  public String toString() {
    return "SigningKey[" + verifyingKey.keyId() + ", secret redacted]";
  }

  /** A random source that yields one fixed seed, then refuses further use. */
  private static final class FixedSeed extends SecureRandom {
    private static final long serialVersionUID = 1L;
    private transient byte[] remaining;

    FixedSeed(byte[] seed) {
      this.remaining = seed.clone();
    }

    @Override
    public void nextBytes(byte[] bytes) {
      if (remaining == null || bytes.length != remaining.length) {
        throw new IllegalStateException("fixed seed source used unexpectedly");
      }
      System.arraycopy(remaining, 0, bytes, 0, bytes.length);
      remaining = null;
    }
  }
}
