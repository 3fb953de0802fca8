package dev.verity.log.note;

import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A signed-note verifier key, written {@code <name>+<8 hex digits key ID>+<base64(type || public
 * key)>}. Type 0x01 is an Ed25519 note signer (checkpoints), type 0x04 an Ed25519
 * tlog-cosignature/v1 witness. The key ID is SHA-256(name || 0x0A || type || public key)[:4].
 */
public record VerifierKey(String name, int type, Bytes publicKey) {
  public static final int ED25519 = 0x01;
  public static final int COSIGNATURE_V1 = 0x04;

  public VerifierKey {
    KeyNames.check(name);
    if (type != ED25519 && type != COSIGNATURE_V1) {
      throw new NoteFormatException(
          "unsupported verifier key type 0x" + Integer.toHexString(type) + " (want 0x01 or 0x04)");
    }
    Objects.requireNonNull(publicKey, "publicKey");
    if (publicKey.length() != 32) {
      throw new NoteFormatException(
          "an Ed25519 public key has 32 bytes, got " + publicKey.length());
    }
  }

  public int keyId() {
    return keyId(name, type, publicKey);
  }

  public static int keyId(String name, int type, Bytes publicKey) {
    MessageDigest md = Digest.newSha256();
    md.update(name.getBytes(StandardCharsets.UTF_8));
    md.update((byte) 0x0a);
    md.update((byte) type);
    md.update(publicKey.toByteArray());
    byte[] h = md.digest();
    return ((h[0] & 0xff) << 24) | ((h[1] & 0xff) << 16) | ((h[2] & 0xff) << 8) | (h[3] & 0xff);
  }

  /** Parses the vkey text; the declared key ID must match the recomputed one. */
  public static VerifierKey parse(String vkey) {
    Objects.requireNonNull(vkey, "verifier key");
    if (vkey.length() > 1024) {
      throw new NoteFormatException("verifier key is too long");
    }
    int p1 = vkey.indexOf('+');
    int p2 = p1 < 0 ? -1 : vkey.indexOf('+', p1 + 1);
    if (p1 < 0 || p2 < 0) {
      throw new NoteFormatException("verifier key must be <name>+<hex key ID>+<base64 key>");
    }
    String name = KeyNames.check(vkey.substring(0, p1));
    String hex = vkey.substring(p1 + 1, p2);
    if (hex.length() != 8 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
      throw new NoteFormatException("verifier key ID must be 8 hex digits: " + hex);
    }
    int declared = (int) Long.parseLong(hex, 16);
    byte[] key;
    try {
      key = Base64.getDecoder().decode(vkey.substring(p2 + 1));
    } catch (IllegalArgumentException e) {
      throw new NoteFormatException("verifier key material is not valid base64", e);
    }
    if (key.length != 33) {
      throw new NoteFormatException(
          "verifier key material must be 33 bytes (type || Ed25519 key), got " + key.length);
    }
    VerifierKey k =
        new VerifierKey(
            name, key[0] & 0xff, Bytes.copyOf(java.util.Arrays.copyOfRange(key, 1, 33)));
    if (k.keyId() != declared) {
      throw new NoteFormatException(
          "verifier key ID " + hex + " does not match the key (expected " + k.keyIdHex() + ")");
    }
    return k;
  }

  public String keyIdHex() {
    return HexFormat.of().toHexDigits(keyId());
  }

  /** The vkey text. */
  public String encode() {
    byte[] all = new byte[33];
    all[0] = (byte) type;
    System.arraycopy(publicKey.toByteArray(), 0, all, 1, 32);
    return name + "+" + keyIdHex() + "+" + Base64.getEncoder().encodeToString(all);
  }

  /** Whether a signature line claims to come from this key (name and key ID both match). */
  public boolean matches(NoteSignature s) {
    return s.name().equals(name) && s.keyId() == keyId();
  }

  @Override
  public String toString() {
    return encode();
  }
}
