package dev.verity.log.note;

import java.util.Objects;

/**
 * A checkpoint together with the signed note it came from (which may also carry witness
 * cosignatures). Only obtainable by verifying the log's signature.
 */
public record SignedCheckpoint(Checkpoint checkpoint, Note note) {
  public SignedCheckpoint {
    Objects.requireNonNull(checkpoint, "checkpoint");
    Objects.requireNonNull(note, "note");
    if (!note.text().equals(checkpoint.text())) {
      throw new IllegalArgumentException("note text is not the checkpoint's text");
    }
  }

  /** Parses a signed checkpoint note and verifies the log's signature on it. */
  public static SignedCheckpoint verify(String noteText, VerifierKey logKey)
      throws NoteVerificationException {
    Note note = Note.parse(noteText);
    return verify(note, logKey);
  }

  public static SignedCheckpoint verify(Note note, VerifierKey logKey)
      throws NoteVerificationException {
    NoteVerifier.verify(note, logKey);
    Checkpoint c = Checkpoint.parse(note.text());
    if (!c.origin().equals(logKey.name())) {
      throw new NoteVerificationException(
          "checkpoint origin '" + c.origin() + "' is not the log key name '" + logKey.name() + "'");
    }
    return new SignedCheckpoint(c, note);
  }

  /** Signs a checkpoint with the log key. */
  public static SignedCheckpoint sign(Checkpoint c, NoteSigner logSigner) {
    return new SignedCheckpoint(c, logSigner.signNote(c.text()));
  }

  public String encode() {
    return note.encode();
  }
}
