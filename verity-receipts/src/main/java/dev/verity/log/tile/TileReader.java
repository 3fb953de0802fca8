package dev.verity.log.tile;

import dev.verity.log.TransparencyLog;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Serves a {@link TransparencyLog} in the C2SP tlog-tiles layout. Paths are relative to the log
 * prefix: {@code checkpoint}, {@code tile/<L>/<N>[.p/<W>]}, {@code tile/entries/<N>[.p/<W>]}. A
 * tile is served when the durable tree holds all of it; an HTTP handler maps empty to 404 and
 * {@link IllegalArgumentException} to 400.
 */
public final class TileReader {
  private final TransparencyLog log;
  private final java.util.function.Supplier<String> checkpoint;

  /** Serves the log's own latest checkpoint. */
  public TileReader(TransparencyLog log) {
    this(log, () -> log.checkpoint().encode());
  }

  /** Serves {@code checkpoint} (for example the latest one carrying witness cosignatures). */
  public TileReader(TransparencyLog log, java.util.function.Supplier<String> checkpoint) {
    this.log = log;
    this.checkpoint = checkpoint;
  }

  /** Content type for a path: the checkpoint is text, tiles and bundles are binary. */
  public static String contentType(String path) {
    return path.equals("checkpoint") ? "text/plain; charset=utf-8" : "application/octet-stream";
  }

  public Optional<byte[]> tile(String path) throws IOException {
    if (path.equals("checkpoint")) {
      return Optional.of(checkpoint.get().getBytes(StandardCharsets.UTF_8));
    }
    TilePath t = TilePath.parse(path);
    long size = log.size();
    if (t.isEntries()) {
      if (t.index() > (size - t.width()) / TilePath.FULL_WIDTH
          || size < t.width()
          || t.index() * TilePath.FULL_WIDTH + t.width() > size) {
        return Optional.empty();
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (int i = 0; i < t.width(); i++) {
        byte[] e = log.entry(t.index() * TilePath.FULL_WIDTH + i);
        out.write(e.length >>> 8);
        out.write(e.length);
        out.write(e);
      }
      return Optional.of(out.toByteArray());
    }
    int treeLevel = TilePath.HEIGHT * t.level();
    long available = treeLevel >= 63 ? 0 : size >>> treeLevel;
    if (t.index() > available / TilePath.FULL_WIDTH
        || t.index() * TilePath.FULL_WIDTH + t.width() > available) {
      return Optional.empty();
    }
    byte[] out = new byte[32 * t.width()];
    for (int i = 0; i < t.width(); i++) {
      byte[] h = log.completeSubtree(treeLevel, t.index() * TilePath.FULL_WIDTH + i);
      System.arraycopy(h, 0, out, 32 * i, 32);
    }
    return Optional.of(out);
  }
}
