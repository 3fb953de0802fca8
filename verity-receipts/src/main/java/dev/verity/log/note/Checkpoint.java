package dev.verity.log.note;

import dev.verity.core.Bytes;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * The body of a C2SP tlog-checkpoint: origin line, decimal tree size, base64 root hash, then
 * optional non-empty extension lines; every line ends with a newline.
 */
public record Checkpoint(String origin, long size, Bytes rootHash, List<String> extensions) {
  public Checkpoint {
    KeyNames.check(origin);
    if (size < 0) {
      throw new NoteFormatException("checkpoint tree size must not be negative");
    }
    Objects.requireNonNull(rootHash, "rootHash");
    if (rootHash.length() != 32) {
      throw new NoteFormatException(
          "checkpoint root hash must be 32 bytes, got " + rootHash.length());
    }
    extensions = List.copyOf(extensions);
    for (String e : extensions) {
      if (e.isEmpty() || e.indexOf('\n') >= 0) {
        throw new NoteFormatException("checkpoint extension lines must be non-empty single lines");
      }
    }
  }

  public Checkpoint(String origin, long size, Bytes rootHash) {
    this(origin, size, rootHash, List.of());
  }

  /** The note text. */
  public String text() {
    StringBuilder sb =
        new StringBuilder(origin)
            .append('\n')
            .append(size)
            .append('\n')
            .append(Base64.getEncoder().encodeToString(rootHash.toByteArray()))
            .append('\n');
    for (String e : extensions) {
      sb.append(e).append('\n');
    }
    return sb.toString();
  }

  /** Parses note text (not the signatures) strictly. */
  public static Checkpoint parse(String text) {
    if (!text.endsWith("\n")) {
      throw new NoteFormatException("checkpoint text must end with a newline");
    }
    String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
    if (lines.length < 3) {
      throw new NoteFormatException("checkpoint needs origin, size and root hash lines");
    }
    String origin = lines[0];
    if (origin.isEmpty()) {
      throw new NoteFormatException("checkpoint origin line is empty");
    }
    if (!lines[1].matches("0|[1-9][0-9]{0,18}")) {
      throw new NoteFormatException(
          "checkpoint tree size must be decimal without leading zeros: "
              + KeyNames.abbreviate(lines[1]));
    }
    long size;
    try {
      size = Long.parseLong(lines[1]);
    } catch (NumberFormatException e) {
      throw new NoteFormatException("checkpoint tree size is too large", e);
    }
    byte[] root;
    try {
      root = Base64.getDecoder().decode(lines[2]);
    } catch (IllegalArgumentException e) {
      throw new NoteFormatException("checkpoint root hash is not valid base64", e);
    }
    if (root.length != 32 || !Base64.getEncoder().encodeToString(root).equals(lines[2])) {
      throw new NoteFormatException("checkpoint root hash must be canonical base64 of 32 bytes");
    }
    List<String> ext = new ArrayList<>();
    for (int i = 3; i < lines.length; i++) {
      ext.add(lines[i]);
    }
    return new Checkpoint(origin, size, Bytes.copyOf(root), ext);
  }
}
