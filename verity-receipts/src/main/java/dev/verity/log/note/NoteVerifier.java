package dev.verity.log.note;

/** Checks a note's Ed25519 (type 0x01) signature from one trusted key. */
public final class NoteVerifier {
  private NoteVerifier() {}

  /**
   * Succeeds only if a signature line matches the key's name and ID and verifies. Lines from
   * unknown keys are ignored, as the signed-note specification requires.
   */
  public static void verify(Note note, VerifierKey key) throws NoteVerificationException {
    if (key.type() != VerifierKey.ED25519) {
      throw new IllegalArgumentException("key " + key.name() + " is not a note signing key");
    }
    boolean found = false;
    for (NoteSignature s : note.signatures()) {
      if (!key.matches(s)) {
        continue;
      }
      found = true;
      if (!Ed25519.verify(key.publicKey(), note.textBytes(), s.signature().toByteArray())) {
        throw new NoteVerificationException(
            "note signature from " + key.name() + " (key ID " + key.keyIdHex() + ") is invalid");
      }
    }
    if (!found) {
      throw new NoteVerificationException(
          "note carries no signature from " + key.name() + " (key ID " + key.keyIdHex() + ")");
    }
  }

  static boolean verifyRaw(VerifierKey key, byte[] message, byte[] signature) {
    return Ed25519.verify(key.publicKey(), message, signature);
  }
}
