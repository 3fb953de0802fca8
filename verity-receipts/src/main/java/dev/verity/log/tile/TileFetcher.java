package dev.verity.log.tile;

import java.io.IOException;
import java.util.Optional;

/** Fetches a tlog-tiles resource by path relative to the log prefix (over HTTP, or locally). */
@FunctionalInterface
public interface TileFetcher {
  Optional<byte[]> fetch(String path) throws IOException;
}
