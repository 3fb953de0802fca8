package dev.verity.receipt;

import dev.verity.core.Bytes;
import dev.verity.log.fs.AtomicFiles;
import dev.verity.receipt.eth.EthAddress;
import dev.verity.receipt.eth.EthSignature;
import dev.verity.receipt.eth.Secp256k1;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A node's secp256k1 receipt signing key. The secret never appears in {@code toString} or logs; on
 * disk it is 64 hex digits and a newline in a file of mode 0600.
 */
public final class ReceiptKey {
  private final BigInteger secret;
  private final EthAddress address;

  private ReceiptKey(BigInteger secret) {
    if (!Secp256k1.isValidPrivateKey(secret)) {
      throw new IllegalArgumentException("not a valid secp256k1 private key (0 < d < n)");
    }
    this.secret = secret;
    this.address = EthAddress.fromPublicKey(Secp256k1.publicKey(secret));
  }

  public static ReceiptKey generate(SecureRandom random) {
    while (true) {
      byte[] b = new byte[32];
      random.nextBytes(b);
      BigInteger d = new BigInteger(1, b);
      Arrays.fill(b, (byte) 0);
      if (Secp256k1.isValidPrivateKey(d)) {
        return new ReceiptKey(d);
      }
    }
  }

  /** From the 32 big-endian private key bytes (the caller should wipe its copy). */
  public static ReceiptKey fromPrivateKey(byte[] d32) {
    if (d32.length != 32) {
      throw new IllegalArgumentException("a secp256k1 private key has 32 bytes");
    }
    return new ReceiptKey(new BigInteger(1, d32));
  }

  /** Loads a key file written by {@link #save}; refuses files readable by group or others. */
  public static ReceiptKey load(Path file) throws IOException {
    AtomicFiles.requireOwnerOnly(file);
    byte[] raw = Files.readAllBytes(file);
    try {
      String text = new String(raw, StandardCharsets.US_ASCII).strip();
      if (text.length() != 64) {
        throw new IOException("key file " + file + " must hold 64 hex digits");
      }
      byte[] d;
      try {
        d = HexFormat.of().parseHex(text);
      } catch (IllegalArgumentException e) {
        throw new IOException("key file " + file + " must hold 64 hex digits");
      }
      try {
        return fromPrivateKey(d);
      } finally {
        Arrays.fill(d, (byte) 0);
      }
    } finally {
      Arrays.fill(raw, (byte) 0);
    }
  }

  /** Writes the key atomically to a new file of mode 0600. */
  public void save(Path file) throws IOException {
    byte[] text = (HexFormat.of().formatHex(to32()) + "\n").getBytes(StandardCharsets.US_ASCII);
    try {
      AtomicFiles.writeSecret(file, text);
    } finally {
      Arrays.fill(text, (byte) 0);
    }
  }

  /** The node identity that receipts name and that ecrecover returns. */
  public EthAddress address() {
    return address;
  }

  /** Signs a 32-byte digest (RFC 6979, low s, v = 27/28). */
  public EthSignature sign(Bytes digest) {
    return Secp256k1.sign(digest.toByteArray(), secret);
  }

  private byte[] to32() {
    byte[] b = secret.toByteArray();
    byte[] out = new byte[32];
    int n = Math.min(b.length, 32);
    System.arraycopy(b, b.length - n, out, 32 - n, n);
    return out;
  }

  @Override
  public String toString() {
    return "ReceiptKey[address=" + address + ", secret=<redacted>]";
  }
}
