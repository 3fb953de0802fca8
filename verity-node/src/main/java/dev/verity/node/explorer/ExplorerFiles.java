package dev.verity.node.explorer;

import dev.verity.core.Bytes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The explorer's static files, read from the class path under one fixed directory. Only flat file
 * names of a strict shape with a known extension are ever looked up, so a request can never name
 * anything outside that directory ({@code ..}, slashes, backslashes, encoded separators and hidden
 * files all fail the name check before any lookup).
 */
public final class ExplorerFiles {
  /** Where the files live on the class path. */
  public static final String RESOURCE_DIR = "/dev/verity/node/explorer/";

  /** Lower-case letters, digits and dashes, then one or more dot-separated extensions. */
  private static final Pattern NAME =
      Pattern.compile("[a-z0-9][a-z0-9-]{0,63}(\\.[a-z0-9]{1,8}){1,2}");

  private static final Map<String, String> TYPES =
      Map.of(
          "html", "text/html; charset=utf-8",
          "js", "text/javascript; charset=utf-8",
          "css", "text/css; charset=utf-8",
          "svg", "image/svg+xml",
          "png", "image/png",
          "json", "application/json",
          "txt", "text/plain; charset=utf-8");

  /** One file: its bytes, content type and strong ETag (a SHA-256 prefix of the bytes). */
  public record StaticFile(String name, String contentType, Bytes content, String etag) {}

  private final String dir;
  // Files are small and immutable for the life of the process: read once, keep. Only files that
  // exist are kept, so requests for made-up names cannot grow the map.
  private final Map<String, StaticFile> cache = new ConcurrentHashMap<>();

  private ExplorerFiles(String dir) {
    this.dir = dir;
  }

  public static ExplorerFiles fromClasspath(String dir) {
    if (!dir.startsWith("/") || !dir.endsWith("/")) {
      throw new IllegalArgumentException("resource directory must start and end with '/': " + dir);
    }
    return new ExplorerFiles(dir);
  }

  /** Whether {@code name} is a name this class would look up at all. */
  public static boolean isAllowedName(String name) {
    return NAME.matcher(name).matches() && TYPES.containsKey(extension(name));
  }

  /** The file called {@code name}, or empty when the name is not allowed or no such file exists. */
  public Optional<StaticFile> find(String name) {
    if (!isAllowedName(name)) {
      return Optional.empty();
    }
    StaticFile hit = cache.get(name);
    if (hit != null) {
      return Optional.of(hit);
    }
    Optional<StaticFile> loaded = load(name);
    loaded.ifPresent(f -> cache.putIfAbsent(name, f));
    return loaded;
  }

  private Optional<StaticFile> load(String name) {
    try (InputStream in = ExplorerFiles.class.getResourceAsStream(dir + name)) {
      if (in == null) {
        return Optional.empty();
      }
      byte[] b = in.readAllBytes();
      String etag = "\"" + HexFormat.of().formatHex(sha256(b), 0, 16) + "\"";
      return Optional.of(new StaticFile(name, TYPES.get(extension(name)), Bytes.copyOf(b), etag));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read explorer file " + name, e);
    }
  }

  private static String extension(String name) {
    return name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
  }

  private static byte[] sha256(byte[] b) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(b);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
