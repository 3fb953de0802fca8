package dev.verity.log.tile;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A C2SP tlog-tiles resource path: {@code tile/<L>/<N>[.p/<W>]} for Merkle tiles or {@code
 * tile/entries/<N>[.p/<W>]} for entry bundles. {@code N} is written in 3-digit groups, all but the
 * last prefixed with {@code x} (1234067 is {@code x001/x234/067}); only the shortest spelling is
 * accepted, so every tile has exactly one path.
 */
public record TilePath(int level, long index, int width) {
  /** The level value used for entry bundles. */
  public static final int ENTRIES = -1;

  public static final int FULL_WIDTH = 256;
  public static final int HEIGHT = 8;

  private static final Pattern PATH =
      Pattern.compile(
          "tile/(entries|0|[1-9][0-9]?)/((?:x[0-9]{3}/){0,6}[0-9]{3})(?:\\.p/([1-9][0-9]{0,2}))?");

  public TilePath {
    if (level < ENTRIES || level > 63) {
      throw new IllegalArgumentException("tile level must be 0 to 63, got " + level);
    }
    if (index < 0) {
      throw new IllegalArgumentException("tile index must not be negative");
    }
    if (width < 1 || width > FULL_WIDTH) {
      throw new IllegalArgumentException("tile width must be 1 to 256, got " + width);
    }
  }

  public boolean isEntries() {
    return level == ENTRIES;
  }

  public boolean isFull() {
    return width == FULL_WIDTH;
  }

  public static TilePath parse(String path) {
    if (path == null || path.length() > 64) {
      throw new IllegalArgumentException("not a tile path");
    }
    Matcher m = PATH.matcher(path);
    if (!m.matches()) {
      throw new IllegalArgumentException("not a tile path: " + path);
    }
    int level = m.group(1).equals("entries") ? ENTRIES : Integer.parseInt(m.group(1));
    if (level > 63) {
      throw new IllegalArgumentException("tile level must be 0 to 63: " + path);
    }
    String[] groups = m.group(2).split("/");
    if (groups.length > 1 && groups[0].equals("x000")) {
      throw new IllegalArgumentException("tile index has a leading zero group: " + path);
    }
    long index = 0;
    for (String g : groups) {
      int v = Integer.parseInt(g.startsWith("x") ? g.substring(1) : g);
      if (index > (Long.MAX_VALUE - v) / 1000) {
        throw new IllegalArgumentException("tile index is too large: " + path);
      }
      index = index * 1000 + v;
    }
    int width = FULL_WIDTH;
    if (m.group(3) != null) {
      width = Integer.parseInt(m.group(3));
      if (width > 255) {
        throw new IllegalArgumentException("partial tile width must be 1 to 255: " + path);
      }
    }
    return new TilePath(level, index, width);
  }

  public String path() {
    StringBuilder sb =
        new StringBuilder("tile/")
            .append(isEntries() ? "entries" : Integer.toString(level))
            .append('/');
    String digits = Long.toString(index);
    int pad = (3 - digits.length() % 3) % 3;
    digits = "0".repeat(pad) + digits;
    for (int i = 0; i < digits.length(); i += 3) {
      if (i + 3 < digits.length()) {
        sb.append('x').append(digits, i, i + 3).append('/');
      } else {
        sb.append(digits, i, i + 3);
      }
    }
    if (!isFull()) {
      sb.append(".p/").append(width);
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return path();
  }
}
