package dev.verity.log.note;

import dev.verity.core.Bytes;
import dev.verity.log.fs.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;

/**
 * An Ed25519 signed-note key. Type 0x01 signs note text (log checkpoints); type 0x04 makes
 * tlog-cosignature/v1 witness cosignatures. The secret seed never appears in {@code toString}; on
 * disk it is the Go-compatible {@code PRIVATE+KEY+<name>+<hex ID>+<base64(type || seed)>} in a 0600
 * file.
 */
public final class NoteSigner {
  private final String name;
  private final int type;
  private final byte[] seed;
  private final Ed25519PrivateKeyParameters signingKey;
  private final VerifierKey verifierKey;

  private NoteSigner(String name, int type, byte[] seed) {
    this.name = KeyNames.check(name);
    this.type = type;
    if (seed.length != 32) {
      throw new IllegalArgumentException("an Ed25519 seed has 32 bytes");
    }
    this.seed = seed.clone();
    this.signingKey = Ed25519.privateKey(this.seed);
    this.verifierKey = new VerifierKey(name, type, Bytes.copyOf(Ed25519.publicKey(signingKey)));
  }

  public static NoteSigner generate(String name, int type, SecureRandom random) {
    byte[] s = new byte[32];
    random.nextBytes(s);
    try {
      return new NoteSigner(name, type, s);
    } finally {
      Arrays.fill(s, (byte) 0);
    }
  }

  /** From a 32-byte seed; intended for tests and key import. */
  public static NoteSigner fromSeed(String name, int type, byte[] seed) {
    return new NoteSigner(name, type, seed);
  }

  public String name() {
    return name;
  }

  public VerifierKey verifierKey() {
    return verifierKey;
  }

  /** Signs note text (type 0x01 keys only). */
  public NoteSignature sign(String text) {
    if (type != VerifierKey.ED25519) {
      throw new IllegalStateException("key " + name + " is a cosigning key; use cosign");
    }
    byte[] sig = Ed25519.sign(signingKey, text.getBytes(StandardCharsets.UTF_8));
    return new NoteSignature(name, verifierKey.keyId(), Bytes.copyOf(sig));
  }

  /** Signs a complete message; for witness cosignatures built by {@code CosignatureV1}. */
  public byte[] signRaw(byte[] message) {
    return Ed25519.sign(signingKey, message);
  }

  /** Signs {@code text} and returns the signed note. */
  public Note signNote(String text) {
    return new Note(text, java.util.List.of(sign(text)));
  }

  public String toSkey() {
    byte[] all = new byte[33];
    all[0] = (byte) type;
    System.arraycopy(seed, 0, all, 1, 32);
    try {
      return "PRIVATE+KEY+"
          + name
          + "+"
          + verifierKey.keyIdHex()
          + "+"
          + Base64.getEncoder().encodeToString(all);
    } finally {
      Arrays.fill(all, (byte) 0);
    }
  }

  public static NoteSigner fromSkey(String skey) {
    Objects.requireNonNull(skey, "signer key");
    String[] parts = skey.strip().split("\\+", 5);
    if (parts.length != 5 || !parts[0].equals("PRIVATE") || !parts[1].equals("KEY")) {
      throw new NoteFormatException(
          "signer key must be PRIVATE+KEY+<name>+<hex key ID>+<base64 key>");
    }
    byte[] all;
    try {
      all = Base64.getDecoder().decode(parts[4]);
    } catch (IllegalArgumentException e) {
      throw new NoteFormatException("signer key material is not valid base64");
    }
    try {
      if (all.length != 33) {
        throw new NoteFormatException("signer key material must be 33 bytes");
      }
      NoteSigner s = new NoteSigner(parts[2], all[0] & 0xff, Arrays.copyOfRange(all, 1, 33));
      if (!s.verifierKey.keyIdHex().equalsIgnoreCase(parts[3])) {
        throw new NoteFormatException("signer key ID does not match the key");
      }
      return s;
    } finally {
      Arrays.fill(all, (byte) 0);
    }
  }

  public void save(Path file) throws IOException {
    byte[] b = (toSkey() + "\n").getBytes(StandardCharsets.US_ASCII);
    try {
      AtomicFiles.writeSecret(file, b);
    } finally {
      Arrays.fill(b, (byte) 0);
    }
  }

  public static NoteSigner load(Path file) throws IOException {
    AtomicFiles.requireOwnerOnly(file);
    return fromSkey(Files.readString(file, StandardCharsets.US_ASCII));
  }

  @Override
  public String toString() {
    return "NoteSigner[" + verifierKey.encode() + ", secret=<redacted>]";
  }
}
