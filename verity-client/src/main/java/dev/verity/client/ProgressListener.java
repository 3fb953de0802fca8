package dev.verity.client;

/** Receives transfer progress: bytes done so far out of {@code total} (-1 when unknown). */
@FunctionalInterface
public interface ProgressListener {
  ProgressListener NONE = (done, total) -> {};

  void progress(long done, long total);
}
