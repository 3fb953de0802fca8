package dev.verity.hub.manifest;

import dev.verity.core.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Objects;

/**
 * One file of a model: its path relative to the model root, its size in bytes and its SHA-256.
 *
 * <p>Paths are relative and '/'-separated; the constructor rejects anything else (see {@link
 * #checkPath}), so a {@code ManifestFile} can never name a place outside the model directory.
 */
public record ManifestFile(String path, long size, Digest digest) {
  /** Upper bound on a path's UTF-8 length. */
  public static final int MAX_PATH_BYTES = 1024;

  /** Upper bound on one path segment's UTF-8 length (the common file-system limit). */
  public static final int MAX_SEGMENT_BYTES = 255;

  public ManifestFile {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(digest, "digest");
    checkPath(path);
    if (size < 0) {
      throw new IllegalArgumentException("file '" + path + "': size must be >= 0, got " + size);
    }
  }

  /**
   * Checks a manifest path: non-empty, at most {@value #MAX_PATH_BYTES} UTF-8 bytes, relative (no
   * leading '/'), segments separated by single '/', no empty, "." or ".." segment, no backslash,
   * colon, NUL or other control character, no segment longer than {@value #MAX_SEGMENT_BYTES}
   * bytes.
   *
   * @throws IllegalArgumentException naming the path and the rule it breaks
   */
  public static void checkPath(String path) {
    Objects.requireNonNull(path, "path");
    if (path.isEmpty()) {
      throw new IllegalArgumentException("file path is empty");
    }
    String shown = shown(path);
    if (path.getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
      throw new IllegalArgumentException(
          "file path is longer than " + MAX_PATH_BYTES + " bytes: " + shown);
    }
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == 0) {
        throw new IllegalArgumentException("file path contains a NUL character: " + shown);
      }
      if (c < 0x20 || c == 0x7f) {
        throw new IllegalArgumentException("file path contains a control character: " + shown);
      }
      if (c == '\\') {
        throw new IllegalArgumentException(
            "file path contains a backslash (paths are '/'-separated): " + shown);
      }
      if (c == ':') {
        throw new IllegalArgumentException(
            "file path contains ':' (not portable, could name a drive): " + shown);
      }
    }
    if (path.startsWith("/")) {
      throw new IllegalArgumentException("file path is absolute, must be relative: " + shown);
    }
    for (String segment : path.split("/", -1)) {
      if (segment.isEmpty()) {
        throw new IllegalArgumentException("file path has an empty segment: " + shown);
      }
      if (segment.equals("..")) {
        throw new IllegalArgumentException("file path contains '..' (path traversal): " + shown);
      }
      if (segment.equals(".")) {
        throw new IllegalArgumentException("file path contains a '.' segment: " + shown);
      }
      if (segment.getBytes(StandardCharsets.UTF_8).length > MAX_SEGMENT_BYTES) {
        throw new IllegalArgumentException(
            "file path has a segment longer than " + MAX_SEGMENT_BYTES + " bytes: " + shown);
      }
    }
  }

  /**
   * Where this file lives under {@code root}. Safe against traversal: the path rules already
   * exclude '..' and absolute paths, and this also refuses a result that, through symbolic links
   * already present under {@code root}, would resolve outside it.
   *
   * @throws IOException if an existing symbolic link would lead outside {@code root}
   */
  public Path resolveUnder(Path root) throws IOException {
    Path base = root.toAbsolutePath().normalize();
    Path target = base;
    for (String segment : path.split("/")) {
      target = target.resolve(segment);
    }
    target = target.normalize();
    if (!target.startsWith(base) || target.equals(base)) {
      throw new IOException("file path '" + path + "' resolves outside " + base);
    }
    // Symlink escape: the deepest existing ancestor (or the file itself) must stay under root.
    Path existing = target;
    while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
      existing = existing.getParent();
    }
    if (existing != null && Files.exists(base)) {
      Path realBase = base.toRealPath();
      Path realExisting = existing.toRealPath();
      if (!realExisting.startsWith(realBase)) {
        throw new IOException(
            "file path '" + path + "' leads outside " + base + " through a symbolic link");
      }
    }
    return target;
  }

  private static String shown(String path) {
    String p = path.replace("\0", "\\0");
    return "'" + (p.length() <= 120 ? p : p.substring(0, 120) + "…") + "'";
  }
}
