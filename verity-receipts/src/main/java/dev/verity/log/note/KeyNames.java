package dev.verity.log.note;

import java.util.Objects;

/** Key names and checkpoint origins: non-empty, no Unicode space, no '+', no control character. */
public final class KeyNames {
  public static final int MAX_LENGTH = 256;

  private KeyNames() {}

  public static String check(String name) {
    Objects.requireNonNull(name, "key name");
    if (name.isEmpty()) {
      throw new NoteFormatException("key name must not be empty");
    }
    if (name.length() > MAX_LENGTH) {
      throw new NoteFormatException("key name is longer than " + MAX_LENGTH + " characters");
    }
    for (int i = 0; i < name.length(); ) {
      int cp = name.codePointAt(i);
      if (cp == '+'
          || Character.isWhitespace(cp)
          || Character.isSpaceChar(cp)
          || cp < 0x20
          || cp == 0x7f) {
        throw new NoteFormatException(
            "key name must not contain spaces, '+' or control characters: " + abbreviate(name));
      }
      i += Character.charCount(cp);
    }
    return name;
  }

  static String abbreviate(String s) {
    return s.length() <= 60 ? s : s.substring(0, 60) + "…";
  }
}
