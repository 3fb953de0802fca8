package dev.verity.log.note;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A C2SP signed note: text ending in a newline, a blank line, then one or more signature lines. The
 * text is separated from the signatures by the last blank line.
 */
public record Note(String text, List<NoteSignature> signatures) {
  /** Verifiers must accept at least 16 signatures; Verity accepts up to 64. */
  public static final int MAX_SIGNATURES = 64;

  public static final int MAX_CHARS = 64 * 1024;

  public Note {
    Objects.requireNonNull(text, "text");
    checkText(text);
    signatures = List.copyOf(signatures);
    if (signatures.size() > MAX_SIGNATURES) {
      throw new NoteFormatException("note has more than " + MAX_SIGNATURES + " signatures");
    }
  }

  /** Parses a signed note strictly; it must carry at least one signature line. */
  public static Note parse(String note) {
    Objects.requireNonNull(note, "note");
    if (note.length() > MAX_CHARS) {
      throw new NoteFormatException("note is longer than " + MAX_CHARS + " characters");
    }
    checkChars(note);
    if (!note.endsWith("\n")) {
      throw new NoteFormatException("note must end with a newline");
    }
    int sep = note.lastIndexOf("\n\n");
    if (sep < 0) {
      throw new NoteFormatException("note has no blank line before its signatures");
    }
    String text = note.substring(0, sep + 1);
    String sigs = note.substring(sep + 2);
    if (sigs.isEmpty()) {
      throw new NoteFormatException("note has no signature lines");
    }
    List<NoteSignature> out = new ArrayList<>();
    for (String line : sigs.substring(0, sigs.length() - 1).split("\n", -1)) {
      out.add(NoteSignature.parseLine(line));
      if (out.size() > MAX_SIGNATURES) {
        throw new NoteFormatException("note has more than " + MAX_SIGNATURES + " signatures");
      }
    }
    return new Note(text, out);
  }

  /** The full note: text, blank line, signature lines. */
  public String encode() {
    StringBuilder sb = new StringBuilder(text).append('\n');
    for (NoteSignature s : signatures) {
      sb.append(s.line());
    }
    return sb.toString();
  }

  public byte[] textBytes() {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** A copy with {@code extra} appended (for adding cosignatures). */
  public Note withSignature(NoteSignature extra) {
    List<NoteSignature> all = new ArrayList<>(signatures);
    all.add(extra);
    return new Note(text, all);
  }

  private static void checkText(String text) {
    if (text.isEmpty() || !text.endsWith("\n")) {
      throw new NoteFormatException("note text must be non-empty and end with a newline");
    }
    checkChars(text);
  }

  private static void checkChars(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if ((c < 0x20 && c != '\n') || c == 0x7f) {
        throw new NoteFormatException("note contains a control character at offset " + i);
      }
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c)
            && i + 1 < s.length()
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else {
          throw new NoteFormatException(
              "note is not valid UTF-8 text (lone surrogate at " + i + ")");
        }
      }
    }
  }

  /** Decodes bytes as strict UTF-8 then parses. */
  public static Note parse(byte[] utf8) {
    try {
      return parse(
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
              .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
              .decode(java.nio.ByteBuffer.wrap(utf8))
              .toString());
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new NoteFormatException("note is not valid UTF-8", e);
    }
  }
}
