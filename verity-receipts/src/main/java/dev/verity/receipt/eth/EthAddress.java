package dev.verity.receipt.eth;

import dev.verity.core.Bytes;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;

/** A 20-byte Ethereum address; shown with the EIP-55 mixed-case checksum. */
public record EthAddress(Bytes value) {
  public static final EthAddress ZERO = new EthAddress(Bytes.copyOf(new byte[20]));

  public EthAddress {
    Objects.requireNonNull(value, "value");
    if (value.length() != 20) {
      throw new IllegalArgumentException("an Ethereum address has 20 bytes, got " + value.length());
    }
  }

  /**
   * Parses {@code 0x} + 40 hex digits. All-lower or all-upper case is accepted; mixed case must be
   * a correct EIP-55 checksum.
   */
  public static EthAddress parse(String text) {
    Objects.requireNonNull(text, "address");
    if (!text.startsWith("0x") || text.length() != 42) {
      throw new IllegalArgumentException(
          "address must be 0x followed by 40 hex digits: " + abbreviate(text));
    }
    String hex = text.substring(2);
    for (int i = 0; i < hex.length(); i++) {
      if (Character.digit(hex.charAt(i), 16) < 0) {
        throw new IllegalArgumentException("address has a non-hex digit: " + abbreviate(text));
      }
    }
    EthAddress a = new EthAddress(Bytes.fromHex(hex));
    boolean mixed =
        !hex.equals(hex.toLowerCase(Locale.ROOT)) && !hex.equals(hex.toUpperCase(Locale.ROOT));
    if (mixed && !a.toChecksumString().equals(text)) {
      throw new IllegalArgumentException("address has a wrong EIP-55 checksum: " + text);
    }
    return a;
  }

  /** The address of an uncompressed secp256k1 public key (64 bytes X || Y, no 0x04 prefix). */
  public static EthAddress fromPublicKey(byte[] xy) {
    if (xy.length != 64) {
      throw new IllegalArgumentException("public key must be 64 bytes X || Y");
    }
    byte[] h = Keccak.keccak256(xy);
    return new EthAddress(Bytes.copyOf(java.util.Arrays.copyOfRange(h, 12, 32)));
  }

  /** EIP-55: hex letters upper-cased where the matching nibble of keccak256(lower hex) >= 8. */
  public String toChecksumString() {
    // A node writes its own and its contract's address into every receipt it serves as JSON.
    String cached = CHECKSUMMED.get(value);
    if (cached == null) {
      if (CHECKSUMMED.size() > 256) {
        CHECKSUMMED.clear();
      }
      cached = checksum(value);
      CHECKSUMMED.put(value, cached);
    }
    return cached;
  }

  private static final java.util.Map<Bytes, String> CHECKSUMMED =
      new java.util.concurrent.ConcurrentHashMap<>();

  private static String checksum(Bytes value) {
    String lower = value.toHex();
    byte[] h = Keccak.keccak256(lower.getBytes(StandardCharsets.US_ASCII));
    StringBuilder sb = new StringBuilder("0x");
    for (int i = 0; i < 40; i++) {
      char c = lower.charAt(i);
      int nibble = (h[i / 2] >> (i % 2 == 0 ? 4 : 0)) & 0xf;
      sb.append(c >= 'a' && nibble >= 8 ? Character.toUpperCase(c) : c);
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return toChecksumString();
  }

  private static String abbreviate(String s) {
    return s.length() <= 50 ? s : s.substring(0, 50) + "…";
  }
}
