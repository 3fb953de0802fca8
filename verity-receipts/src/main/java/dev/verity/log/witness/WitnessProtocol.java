package dev.verity.log.witness;

import dev.verity.log.ConsistencyProof;
import dev.verity.log.note.Note;
import dev.verity.log.note.NoteFormatException;
import dev.verity.log.note.NoteSignature;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** The log side of C2SP tlog-witness: building add-checkpoint requests, merging the responses. */
public final class WitnessProtocol {
  /** Media type of a 409 response body (the witness's latest cosigned size). */
  public static final String SIZE_CONTENT_TYPE = "text/x.tlog.size";

  private WitnessProtocol() {}

  /** {@code old <size>\n}, one base64 proof hash per line, an empty line, the checkpoint. */
  public static String requestBody(ConsistencyProof proof, String checkpointNote) {
    StringBuilder sb = new StringBuilder("old ").append(proof.oldSize()).append('\n');
    proof
        .path()
        .forEach(h -> sb.append(Base64.getEncoder().encodeToString(h.toByteArray())).append('\n'));
    return sb.append('\n').append(checkpointNote).toString();
  }

  /**
   * Appends the signature lines of a 200 response to the checkpoint note. Lines that duplicate a
   * signature already present are dropped. Verify them afterwards with {@link
   * CosignatureV1#verify}.
   */
  public static String addCosignatures(String checkpointNote, String responseBody) {
    Note note = Note.parse(checkpointNote);
    if (!responseBody.endsWith("\n") || responseBody.length() > Note.MAX_CHARS) {
      throw new NoteFormatException("witness response must be signature lines ending in a newline");
    }
    Note lines = Note.parse(note.text() + "\n" + responseBody);
    List<NoteSignature> all = new ArrayList<>(note.signatures());
    for (NoteSignature s : lines.signatures()) {
      if (!all.contains(s)) {
        all.add(s);
      }
    }
    return new Note(note.text(), all).encode();
  }
}
