package dev.verity.core;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;

/**
 * A SHA-256 content digest, written {@code sha256:<64 lower-case hex digits>} everywhere Verity
 * shows or parses one.
 */
public record Digest(Bytes value) implements Comparable<Digest> {
  public static final String PREFIX = "sha256:";
  public static final int LENGTH = 32;

  public Digest {
    Objects.requireNonNull(value, "value");
    if (value.length() != LENGTH) {
      throw new IllegalArgumentException("a sha256 digest has 32 bytes, got " + value.length());
    }
  }

  /** Parses {@code sha256:<hex>}; the error names what is wrong with the text. */
  public static Digest parse(String text) {
    Objects.requireNonNull(text, "digest");
    if (!text.startsWith(PREFIX)) {
      throw new IllegalArgumentException(
          "digest must start with '" + PREFIX + "': " + abbreviate(text));
    }
    String hex = text.substring(PREFIX.length());
    if (hex.length() != 2 * LENGTH || !hex.chars().allMatch(Digest::isLowerHex)) {
      throw new IllegalArgumentException(
          "digest must be 'sha256:' followed by 64 lower-case hex digits: " + abbreviate(text));
    }
    return new Digest(Bytes.fromHex(hex));
  }

  public static Digest of(byte[] data) {
    return new Digest(Bytes.copyOf(newSha256().digest(data)));
  }

  public static Digest of(Bytes data) {
    return of(data.toByteArray());
  }

  /** Digests a stream to its end; does not close it. */
  public static Digest of(InputStream in) throws IOException {
    MessageDigest md = newSha256();
    byte[] buf = new byte[1 << 16];
    for (int n; (n = in.read(buf)) != -1; ) {
      md.update(buf, 0, n);
    }
    return new Digest(Bytes.copyOf(md.digest()));
  }

  public static MessageDigest newSha256() {
    try {
      // Cloning skips the provider lookup of getInstance, which every receipt paid several times.
      return (MessageDigest) SHA256_PROTOTYPE.clone();
    } catch (CloneNotSupportedException e) {
      return sha256Instance();
    }
  }

  private static final MessageDigest SHA256_PROTOTYPE = sha256Instance();

  private static MessageDigest sha256Instance() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every JDK has SHA-256", e);
    }
  }

  /** The 64 hex digits without the prefix, as used in blob file names. */
  public String hex() {
    return value.toHex();
  }

  @Override
  public String toString() {
    return PREFIX + value.toHex();
  }

  @Override
  public int compareTo(Digest o) {
    return value.compareTo(o.value);
  }

  private static boolean isLowerHex(int c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 80) + "…";
  }
}
