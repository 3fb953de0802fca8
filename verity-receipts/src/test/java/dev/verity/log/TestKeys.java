package dev.verity.log;

import dev.verity.log.note.NoteSigner;
import dev.verity.log.note.VerifierKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Fixed, public test keys (never used outside tests). */
public final class TestKeys {
  private TestKeys() {}

  static byte[] seed(String label) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(label.getBytes(StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  public static NoteSigner logSigner() {
    return NoteSigner.fromSeed("log.verity.test/node-a", VerifierKey.ED25519, seed("log key a"));
  }

  public static NoteSigner otherLogSigner() {
    return NoteSigner.fromSeed("log.verity.test/node-a", VerifierKey.ED25519, seed("impostor"));
  }

  public static NoteSigner witnessSigner(String name) {
    return NoteSigner.fromSeed(name, VerifierKey.COSIGNATURE_V1, seed("witness " + name));
  }
}
