package dev.verity.settlement.evm;

import dev.verity.log.fs.AtomicFiles;
import dev.verity.receipt.eth.EthAddress;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import org.web3j.crypto.Bip32ECKeyPair;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;
import org.web3j.crypto.MnemonicUtils;

/**
 * An account key that signs transactions (an operator, publisher or client). The secret never
 * appears in {@code toString} or logs; on disk it is 64 hex digits in a file of mode 0600.
 */
public final class EvmKey {
  private static final BigInteger N =
      new BigInteger("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", 16);

  private final Credentials credentials;
  private final EthAddress address;

  private EvmKey(ECKeyPair pair) {
    this.credentials = Credentials.create(pair);
    this.address = EthAddress.parse(credentials.getAddress());
  }

  /** From 32 big-endian private key bytes (the caller should wipe its copy). */
  public static EvmKey fromPrivateKey(byte[] d32) {
    if (d32.length != 32) {
      throw new IllegalArgumentException("a secp256k1 private key has 32 bytes");
    }
    BigInteger d = new BigInteger(1, d32);
    if (d.signum() == 0 || d.compareTo(N) >= 0) {
      throw new IllegalArgumentException("not a valid secp256k1 private key (0 < d < n)");
    }
    return new EvmKey(ECKeyPair.create(d));
  }

  public static EvmKey generate(SecureRandom random) {
    try {
      return new EvmKey(Keys.createEcKeyPair(random));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate a secp256k1 key", e);
    }
  }

  /**
   * Account {@code index} of a BIP-39 mnemonic on the path m/44'/60'/0'/0/index (as Anvil does).
   */
  public static EvmKey fromMnemonic(String mnemonic, int index) {
    if (index < 0) {
      throw new IllegalArgumentException("account index must not be negative");
    }
    Bip32ECKeyPair master =
        Bip32ECKeyPair.generateKeyPair(MnemonicUtils.generateSeed(mnemonic, ""));
    int h = Bip32ECKeyPair.HARDENED_BIT;
    int[] path = {44 | h, 60 | h, h, 0, index};
    Bip32ECKeyPair child = Bip32ECKeyPair.deriveKeyPair(master, path);
    return new EvmKey(ECKeyPair.create(child.getPrivateKey()));
  }

  /** Loads a key file of 64 hex digits; refuses files readable by group or others. */
  public static EvmKey load(Path file) throws IOException {
    AtomicFiles.requireOwnerOnly(file);
    byte[] raw = Files.readAllBytes(file);
    byte[] d = null;
    try {
      String text = new String(raw, StandardCharsets.US_ASCII).strip();
      if (text.startsWith("0x")) {
        text = text.substring(2);
      }
      if (text.length() != 64) {
        throw new IOException("key file " + file + " must hold 64 hex digits");
      }
      try {
        d = HexFormat.of().parseHex(text);
      } catch (IllegalArgumentException e) {
        throw new IOException("key file " + file + " must hold 64 hex digits");
      }
      return fromPrivateKey(d);
    } finally {
      Arrays.fill(raw, (byte) 0);
      if (d != null) {
        Arrays.fill(d, (byte) 0);
      }
    }
  }

  /** Writes the key atomically to a new file of mode 0600. */
  public void save(Path file) throws IOException {
    String hex = String.format("%064x", credentials.getEcKeyPair().getPrivateKey());
    byte[] text = (hex + "\n").getBytes(StandardCharsets.US_ASCII);
    try {
      AtomicFiles.writeSecret(file, text);
    } finally {
      Arrays.fill(text, (byte) 0);
    }
  }

  public EthAddress address() {
    return address;
  }

  Credentials credentials() {
    return credentials;
  }

  @Override
  public String toString() {
    return "EvmKey[address=" + address + ", secret=<redacted>]";
  }
}
