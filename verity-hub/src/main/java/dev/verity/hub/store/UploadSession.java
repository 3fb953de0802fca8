package dev.verity.hub.store;

import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.core.DigestMismatchException;
import dev.verity.core.VerityException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;

/**
 * A resumable upload of one blob, keyed by its expected digest. Bytes are appended in order; the
 * partial content lives under {@code <root>/uploads/} and is never visible as a blob. When the
 * declared size is reached the content is verified and atomically becomes the blob, or is deleted
 * if it does not match.
 *
 * <p>If the input of {@link #append} fails midway, the bytes received so far are kept (fsynced), so
 * the client can ask {@link #offset()} and resume from there.
 */
public final class UploadSession {
  private final BlobStore store;
  private final Digest digest;
  private final long expectedSize;

  UploadSession(BlobStore store, Digest digest, long expectedSize) {
    this.store = store;
    this.digest = digest;
    this.expectedSize = expectedSize;
  }

  public Digest digest() {
    return digest;
  }

  public long expectedSize() {
    return expectedSize;
  }

  /** Bytes received so far (the declared size once the blob is stored). */
  public long offset() throws IOException {
    synchronized (store.lockFor(digest)) {
      return store.has(digest) ? expectedSize : store.partSize(digest);
    }
  }

  public boolean isComplete() {
    return store.has(digest);
  }

  /**
   * Appends the content of {@code in} (read to its end) at {@code offset}, which must equal {@link
   * #offset()}. Completes the upload when the declared size is reached.
   *
   * @return the new offset
   * @throws UploadOffsetException if {@code offset} is not where the upload currently ends
   * @throws SizeMismatchException if more bytes arrive than the declared size (they are discarded
   *     and the upload stays at {@code offset})
   * @throws DigestMismatchException if the completed content does not hash to the digest; the
   *     partial upload is then deleted
   */
  public long append(InputStream in, long offset) throws IOException, VerityException {
    synchronized (store.lockFor(digest)) {
      if (store.has(digest)) {
        if (offset != expectedSize) {
          throw new UploadOffsetException(
              digest, expectedSize, "the blob is already stored; nothing more to upload");
        }
        return expectedSize;
      }
      if (store.declaredSize(digest).isEmpty()) {
        // The upload was aborted or cleaned up as stale: restart it from zero.
        Files.deleteIfExists(store.partPath(digest));
        store.writeSmallAtomically(
            store.sizePath(digest),
            Long.toString(expectedSize).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      }
      long current = store.partSize(digest);
      if (offset != current) {
        throw new UploadOffsetException(
            digest,
            current,
            "chunk starts at offset "
                + offset
                + " but "
                + current
                + " bytes are stored; resume at "
                + current);
      }
      long remaining = expectedSize - current;
      long written = 0;
      try (FileChannel ch =
          FileChannel.open(
              store.partPath(digest),
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              StandardOpenOption.APPEND)) {
        byte[] buf = new byte[BlobStore.BUFFER];
        try {
          for (int r; (r = in.read(buf)) != -1; ) {
            if (r > remaining - written) {
              ch.truncate(current);
              ch.force(true);
              throw new SizeMismatchException(
                  "upload of "
                      + digest
                      + ": more bytes than the declared size "
                      + expectedSize
                      + "; chunk discarded, upload stays at offset "
                      + current);
            }
            BlobStore.writeFully(ch, buf, r);
            written += r;
          }
        } finally {
          // Keep what arrived durable, so an interrupted client resumes from a true offset.
          ch.force(true);
        }
      }
      long now = current + written;
      if (now == expectedSize) {
        complete();
      }
      return now;
    }
  }

  /** Deletes the partial upload. */
  public void abort() throws IOException {
    synchronized (store.lockFor(digest)) {
      Files.deleteIfExists(store.partPath(digest));
      Files.deleteIfExists(store.sizePath(digest));
    }
  }

  private void complete() throws IOException, VerityException {
    MessageDigest md = Digest.newSha256();
    byte[] buf = new byte[BlobStore.BUFFER];
    try (InputStream in = Files.newInputStream(store.partPath(digest))) {
      for (int r; (r = in.read(buf)) != -1; ) {
        md.update(buf, 0, r);
      }
    }
    Digest actual = new Digest(Bytes.copyOf(md.digest()));
    if (!actual.equals(digest)) {
      abort();
      throw new DigestMismatchException("resumable upload (partial data deleted)", digest, actual);
    }
    store.publish(store.partPath(digest), digest);
    Files.deleteIfExists(store.sizePath(digest));
  }
}
