package dev.verity.hub.publish;

/**
 * Receives progress of a long operation in bytes. Calls are serialized (never concurrent) but may
 * come from any thread; {@code done} never decreases and ends equal to {@code total}.
 */
@FunctionalInterface
public interface ProgressListener {
  ProgressListener NONE = (done, total) -> {};

  void progress(long done, long total);
}
