package dev.verity.log.note;

/** Text that should be a signed note, checkpoint or key does not follow its format. */
public final class NoteFormatException extends IllegalArgumentException {
  public NoteFormatException(String message) {
    super(message);
  }

  public NoteFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
