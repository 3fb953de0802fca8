package dev.verity.log.witness;

import dev.verity.core.Bytes;
import dev.verity.log.note.Note;
import dev.verity.log.note.NoteSignature;
import dev.verity.log.note.NoteSigner;
import dev.verity.log.note.NoteVerificationException;
import dev.verity.log.note.VerifierKey;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * C2SP tlog-cosignature v1 with Ed25519 (signature type 0x04). The signed message is {@code
 * "cosignature/v1\ntime <T>\n"} followed by the whole checkpoint text; the note signature is the
 * 8-byte big-endian timestamp followed by the 64-byte Ed25519 signature.
 */
public final class CosignatureV1 {
  public static final String HEADER = "cosignature/v1\n";

  private CosignatureV1() {}

  public static byte[] message(long timestamp, String checkpointText) {
    if (timestamp < 0) {
      throw new IllegalArgumentException("cosignature timestamp must not be negative");
    }
    return (HEADER + "time " + timestamp + "\n" + checkpointText).getBytes(StandardCharsets.UTF_8);
  }

  /** Cosigns the text of {@code checkpoint} at {@code timestamp} (POSIX seconds). */
  public static NoteSignature sign(NoteSigner witness, String checkpointText, long timestamp) {
    if (witness.verifierKey().type() != VerifierKey.COSIGNATURE_V1) {
      throw new IllegalArgumentException("witness key must have signature type 0x04");
    }
    byte[] sig = witness.signRaw(message(timestamp, checkpointText));
    byte[] all = ByteBuffer.allocate(72).putLong(timestamp).put(sig).array();
    return new NoteSignature(witness.name(), witness.verifierKey().keyId(), Bytes.copyOf(all));
  }

  /** The timestamp inside a cosignature line. */
  public static long timestamp(NoteSignature s) {
    if (s.signature().length() != 72) {
      throw new IllegalArgumentException(
          "a cosignature/v1 signature has 72 bytes, got " + s.signature().length());
    }
    long t = ByteBuffer.wrap(s.signature().toByteArray()).getLong();
    if (t < 0) {
      throw new IllegalArgumentException("cosignature timestamp exceeds 2^63 - 1");
    }
    return t;
  }

  /** Verifies the witness's cosignature on {@code note}; returns its timestamp. */
  public static long verify(Note note, VerifierKey witness) throws NoteVerificationException {
    if (witness.type() != VerifierKey.COSIGNATURE_V1) {
      throw new IllegalArgumentException("key " + witness.name() + " is not a cosignature key");
    }
    Long good = null;
    boolean found = false;
    for (NoteSignature s : note.signatures()) {
      if (!witness.matches(s)) {
        continue;
      }
      found = true;
      if (s.signature().length() != 72) {
        throw new NoteVerificationException("cosignature from " + witness.name() + " is malformed");
      }
      byte[] all = s.signature().toByteArray();
      long t = ByteBuffer.wrap(all).getLong();
      Ed25519Signer v = new Ed25519Signer();
      v.init(false, new Ed25519PublicKeyParameters(witness.publicKey().toByteArray(), 0));
      byte[] msg = t < 0 ? new byte[0] : message(t, note.text());
      v.update(msg, 0, msg.length);
      if (t < 0 || !v.verifySignature(Arrays.copyOfRange(all, 8, 72))) {
        throw new NoteVerificationException(
            "cosignature from witness " + witness.name() + " is invalid");
      }
      good = t;
    }
    if (!found) {
      throw new NoteVerificationException(
          "checkpoint carries no cosignature from witness " + witness.name());
    }
    return good;
  }
}
