package dev.verity.log.note;

import dev.verity.core.Bytes;
import java.util.Base64;
import java.util.Objects;

/**
 * One signature line of a signed note: {@code — <name> base64(keyID || signature)} (U+2014 em dash,
 * spaces, newline); {@code keyId} is the big-endian uint32 prefix.
 */
public record NoteSignature(String name, int keyId, Bytes signature) {
  public static final String DASH = "\u2014";

  public NoteSignature {
    KeyNames.check(name);
    Objects.requireNonNull(signature, "signature");
    if (signature.length() == 0) {
      throw new NoteFormatException("note signature from " + name + " is empty");
    }
  }

  /** The signature line including its final newline. */
  public String line() {
    byte[] sig = signature.toByteArray();
    byte[] all = new byte[4 + sig.length];
    all[0] = (byte) (keyId >>> 24);
    all[1] = (byte) (keyId >>> 16);
    all[2] = (byte) (keyId >>> 8);
    all[3] = (byte) keyId;
    System.arraycopy(sig, 0, all, 4, sig.length);
    return DASH + " " + name + " " + Base64.getEncoder().encodeToString(all) + "\n";
  }

  /** Parses one line without its newline. */
  static NoteSignature parseLine(String line) {
    String prefix = DASH + " ";
    if (!line.startsWith(prefix)) {
      throw new NoteFormatException("note signature line must start with an em dash and a space");
    }
    String rest = line.substring(prefix.length());
    int sp = rest.indexOf(' ');
    if (sp <= 0 || rest.indexOf(' ', sp + 1) >= 0) {
      throw new NoteFormatException("note signature line must be '— <name> <base64>'");
    }
    String name = rest.substring(0, sp);
    byte[] all;
    try {
      all = Base64.getDecoder().decode(rest.substring(sp + 1));
    } catch (IllegalArgumentException e) {
      throw new NoteFormatException("note signature from " + name + " is not valid base64", e);
    }
    if (!Base64.getEncoder().encodeToString(all).equals(rest.substring(sp + 1))) {
      throw new NoteFormatException("note signature from " + name + " is not canonical base64");
    }
    if (all.length < 5) {
      throw new NoteFormatException("note signature from " + name + " is shorter than 5 bytes");
    }
    int id =
        ((all[0] & 0xff) << 24)
            | ((all[1] & 0xff) << 16)
            | ((all[2] & 0xff) << 8)
            | (all[3] & 0xff);
    return new NoteSignature(
        name, id, Bytes.copyOf(java.util.Arrays.copyOfRange(all, 4, all.length)));
  }
}
