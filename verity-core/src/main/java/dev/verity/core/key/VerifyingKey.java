package dev.verity.core.key;

import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.core.FormatException;
import dev.verity.core.SignatureVerificationException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Objects;

/**
 * An Ed25519 public key (RFC 8032), held as its 32 raw bytes.
 *
 * <p>Text form: {@code ed25519:<standard base64 of the 32 raw bytes, padded>} (44 base64
 * characters). Key id: {@code ed25519:} followed by the first 16 lower-case hex digits of SHA-256
 * over the 32 raw bytes; it is a short, unauthenticated hint used in DSSE signatures to pick the
 * key to try, never a substitute for the key itself.
 */
public record VerifyingKey(Bytes raw) {
  public static final String PREFIX = "ed25519:";
  public static final int LENGTH = 32;

  /** DER prefix of an X.509 SubjectPublicKeyInfo holding an Ed25519 key (RFC 8410). */
  private static final byte[] X509_PREFIX = Bytes.fromHex("302a300506032b6570032100").toByteArray();

  public VerifyingKey {
    Objects.requireNonNull(raw, "raw");
    if (raw.length() != LENGTH) {
      throw new IllegalArgumentException("an Ed25519 public key has 32 bytes, got " + raw.length());
    }
  }

  /** Parses the text form {@code ed25519:<base64>}. */
  public static VerifyingKey parse(String text) throws FormatException {
    Objects.requireNonNull(text, "text");
    if (!text.startsWith(PREFIX)) {
      throw new FormatException("public key must start with '" + PREFIX + "': " + abbreviate(text));
    }
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(text.substring(PREFIX.length()));
    } catch (IllegalArgumentException e) {
      throw new FormatException("public key is not valid base64: " + abbreviate(text), e);
    }
    if (raw.length != LENGTH) {
      throw new FormatException(
          "public key must encode 32 bytes, got " + raw.length + ": " + abbreviate(text));
    }
    return new VerifyingKey(Bytes.copyOf(raw));
  }

  static VerifyingKey fromJdk(PublicKey key) {
    byte[] encoded = key.getEncoded();
    if (encoded.length != X509_PREFIX.length + LENGTH) {
      throw new IllegalStateException("unexpected Ed25519 public key encoding");
    }
    byte[] raw = new byte[LENGTH];
    System.arraycopy(encoded, X509_PREFIX.length, raw, 0, LENGTH);
    return new VerifyingKey(Bytes.copyOf(raw));
  }

  /** The text form {@code ed25519:<base64>}; {@link #parse} reads it back. */
  public String toText() {
    return PREFIX + raw.toBase64();
  }

  /** {@code ed25519:<first 16 hex digits of SHA-256(raw key)>}. */
  public String keyId() {
    return PREFIX + Digest.of(raw).hex().substring(0, 16);
  }

  /**
   * Checks an Ed25519 signature over {@code message}.
   *
   * @throws SignatureVerificationException naming this key if the signature is wrong or malformed
   */
  public void verify(Bytes message, Bytes signature) throws SignatureVerificationException {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(signature, "signature");
    if (signature.length() != 64) {
      throw new SignatureVerificationException(
          "Ed25519 signature must have 64 bytes, got "
              + signature.length()
              + " (key "
              + keyId()
              + ")");
    }
    boolean ok;
    try {
      Signature verifier = Signature.getInstance("Ed25519");
      verifier.initVerify(toJdk());
      verifier.update(message.toByteArray());
      ok = verifier.verify(signature.toByteArray());
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new SignatureVerificationException(
          "signature could not be checked with key " + keyId() + ": " + e.getMessage(), e);
    }
    if (!ok) {
      throw new SignatureVerificationException(
          "bad signature: does not verify with key " + keyId());
    }
  }

  PublicKey toJdk() throws GeneralSecurityException {
    byte[] encoded = new byte[X509_PREFIX.length + LENGTH];
    System.arraycopy(X509_PREFIX, 0, encoded, 0, X509_PREFIX.length);
    System.arraycopy(raw.toByteArray(), 0, encoded, X509_PREFIX.length, LENGTH);
    return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(encoded));
  }

  @Override
  public String toString() {
    return toText();
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 80) + "…";
  }
}
