package dev.verity.hub.store;

import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.core.DigestMismatchException;
import dev.verity.core.VerityException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Content-addressed blobs on disk: the blob with digest {@code sha256:<hex>} is the file {@code
 * <root>/blobs/sha256/<hex>}, read-only once written.
 *
 * <p>A blob becomes visible only complete and verified: content goes to a temp file in the same
 * directory (name starting with '.', never a valid hex name), is fsynced, checked against the
 * expected size and digest, then atomically renamed into place; on any failure the temp file is
 * deleted. Resumable uploads keep their partial content under {@code <root>/uploads/}, outside the
 * blob directory. Every full read re-hashes the blob and fails at end of stream if it was altered.
 */
public final class BlobStore {
  private static final Logger log = LoggerFactory.getLogger(BlobStore.class);
  static final int BUFFER = 1 << 20;

  private final Path root;
  private final Path blobDir;
  private final Path uploadDir;
  private final StoreLimits limits;
  private final ConcurrentHashMap<Digest, Object> uploadLocks = new ConcurrentHashMap<>();

  /** Opens (creating directories as needed) the store under {@code root}. */
  public BlobStore(Path root, StoreLimits limits) throws IOException {
    this.root = root.toAbsolutePath().normalize();
    this.limits = Objects.requireNonNull(limits, "limits");
    this.blobDir = this.root.resolve("blobs").resolve("sha256");
    this.uploadDir = this.root.resolve("uploads");
    Files.createDirectories(blobDir);
    Files.createDirectories(uploadDir);
  }

  public Path root() {
    return root;
  }

  public StoreLimits limits() {
    return limits;
  }

  /** Whether a complete blob with this digest is stored. */
  public boolean has(Digest digest) {
    return Files.isRegularFile(blobPath(digest), LinkOption.NOFOLLOW_LINKS);
  }

  /** The stored blob's size in bytes. */
  public long size(Digest digest) throws BlobNotFoundException, IOException {
    try {
      return Files.size(blobPath(digest));
    } catch (NoSuchFileException e) {
      throw new BlobNotFoundException(digest);
    }
  }

  /** {@link #put(InputStream, Digest, long, long)} with the store's blob size limit. */
  public boolean put(InputStream in, Digest expected, long expectedSize)
      throws IOException, VerityException {
    return put(in, expected, expectedSize, limits.maxBlobBytes());
  }

  /**
   * Stores the content of {@code in} (read to its end, not closed) as blob {@code expected}.
   *
   * @param expectedSize the content's size, or -1 if unknown
   * @param maxBytes refuse content larger than this (the store's own limit applies too)
   * @return true if the blob was stored, false if it was already present (then {@code in} is not
   *     read)
   * @throws SizeLimitExceededException if the content (or its declared size) exceeds the limit
   * @throws SizeMismatchException if the content is shorter or longer than {@code expectedSize}
   * @throws DigestMismatchException if the content does not hash to {@code expected}
   */
  public boolean put(InputStream in, Digest expected, long expectedSize, long maxBytes)
      throws IOException, VerityException {
    Objects.requireNonNull(in, "in");
    Objects.requireNonNull(expected, "expected");
    long limit = Math.min(maxBytes, limits.maxBlobBytes());
    if (expectedSize > limit) {
      throw new SizeLimitExceededException("blob " + expected, expectedSize, limit);
    }
    if (has(expected)) {
      return false;
    }
    Path tmp = blobDir.resolve(".put-" + UUID.randomUUID() + ".tmp");
    try {
      MessageDigest md = Digest.newSha256();
      long n = 0;
      try (FileChannel ch =
          FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        byte[] buf = new byte[BUFFER];
        for (int r; (r = in.read(buf)) != -1; ) {
          n += r;
          if (expectedSize >= 0 && n > expectedSize) {
            throw new SizeMismatchException(
                "blob "
                    + expected
                    + ": content is longer than the declared "
                    + expectedSize
                    + " bytes");
          }
          if (n > limit) {
            throw new SizeLimitExceededException("blob " + expected, -1, limit);
          }
          md.update(buf, 0, r);
          writeFully(ch, buf, r);
        }
        if (expectedSize >= 0 && n != expectedSize) {
          throw new SizeMismatchException(
              "blob "
                  + expected
                  + ": content ended after "
                  + n
                  + " bytes, declared "
                  + expectedSize);
        }
        ch.force(true);
      }
      Digest actual = new Digest(Bytes.copyOf(md.digest()));
      if (!actual.equals(expected)) {
        throw new DigestMismatchException("blob upload", expected, actual);
      }
      publish(tmp, expected);
      log.debug("stored blob {} ({} bytes)", expected, n);
      return true;
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Starts or continues a resumable upload of blob {@code expected} of {@code expectedSize} bytes.
   * If the blob is already stored the session is complete at once.
   *
   * @throws SizeLimitExceededException if {@code expectedSize} exceeds the store's limit
   * @throws UploadOffsetException if an upload of this digest with another size is in progress
   */
  public UploadSession upload(Digest expected, long expectedSize)
      throws IOException, VerityException {
    Objects.requireNonNull(expected, "expected");
    if (expectedSize < 0) {
      throw new IllegalArgumentException("a resumable upload needs its size, got " + expectedSize);
    }
    if (expectedSize > limits.maxBlobBytes()) {
      throw new SizeLimitExceededException("blob " + expected, expectedSize, limits.maxBlobBytes());
    }
    synchronized (lockFor(expected)) {
      if (!has(expected)) {
        Optional<Long> declared = declaredSize(expected);
        if (declared.isPresent() && declared.get() != expectedSize) {
          throw new UploadOffsetException(
              expected,
              partSize(expected),
              "an upload with size " + declared.get() + " is in progress, not " + expectedSize);
        }
        if (declared.isEmpty()) {
          writeSmallAtomically(
              sizePath(expected), Long.toString(expectedSize).getBytes(StandardCharsets.US_ASCII));
        }
      }
    }
    return new UploadSession(this, expected, expectedSize);
  }

  /** The upload in progress for {@code digest}, if any. */
  public Optional<UploadSession> existingUpload(Digest digest) throws IOException {
    synchronized (lockFor(digest)) {
      Optional<Long> declared = declaredSize(digest);
      return declared.map(size -> new UploadSession(this, digest, size));
    }
  }

  /**
   * Opens the blob for reading. The stream re-hashes what it returns and, at end of stream, throws
   * {@link CorruptBlobException} if the blob's content no longer matches its digest. Reading only
   * part of it verifies nothing.
   */
  public InputStream open(Digest digest) throws BlobNotFoundException, IOException {
    FileChannel ch;
    try {
      ch = FileChannel.open(blobPath(digest), StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      throw new BlobNotFoundException(digest);
    }
    return new VerifyingInputStream(ch, digest);
  }

  /**
   * Opens bytes {@code start..endInclusive} of the blob (an HTTP byte range). A partial read cannot
   * be verified against the blob digest; clients verify the whole file once assembled.
   *
   * @throws InvalidRangeException if the range is empty or not inside the blob
   */
  public InputStream openRange(Digest digest, long start, long endInclusive)
      throws BlobNotFoundException, InvalidRangeException, IOException {
    long size = size(digest);
    if (start < 0 || endInclusive < start || endInclusive >= size) {
      throw new InvalidRangeException(
          "range "
              + start
              + "-"
              + endInclusive
              + " is not within blob "
              + digest
              + " of "
              + size
              + " bytes",
          size);
    }
    FileChannel ch;
    try {
      ch = FileChannel.open(blobPath(digest), StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      throw new BlobNotFoundException(digest);
    }
    return new RangeInputStream(ch, start, endInclusive - start + 1);
  }

  /**
   * Re-hashes the stored blob.
   *
   * @throws CorruptBlobException if its content no longer matches its digest
   */
  public void verify(Digest digest) throws BlobNotFoundException, IOException {
    try (InputStream in = open(digest)) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    }
  }

  /** Removes partial uploads and leftover temp files idle longer than the configured age. */
  public int cleanupStaleUploads() throws IOException {
    return cleanupStaleUploads(limits.staleUploadAge());
  }

  /**
   * Removes partial uploads, and temp files left by interrupted writes anywhere in the store, whose
   * last modification is older than {@code maxAge}.
   *
   * @return how many files were removed
   */
  public int cleanupStaleUploads(Duration maxAge) throws IOException {
    Instant cutoff = Instant.now().minus(maxAge);
    int removed = 0;
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(uploadDir)) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        int dot = name.indexOf('.');
        if (dot != 64) {
          continue;
        }
        Digest d;
        try {
          d = Digest.parse(Digest.PREFIX + name.substring(0, 64));
        } catch (IllegalArgumentException e) {
          continue;
        }
        synchronized (lockFor(d)) {
          if (Files.exists(p)
              && Files.getLastModifiedTime(p).toInstant().isBefore(cutoff)
              && Files.deleteIfExists(p)) {
            removed++;
          }
        }
      }
    }
    // Temp files left by a crash mid-write: blob puts, size files, manifests and the index.
    for (Path dir : List.of(blobDir, uploadDir, root, root.resolve("manifests"))) {
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, ".*.tmp")) {
        for (Path p : ds) {
          if (Files.getLastModifiedTime(p).toInstant().isBefore(cutoff)
              && Files.deleteIfExists(p)) {
            removed++;
          }
        }
      }
    }
    if (removed > 0) {
      log.info("removed {} stale upload file(s)", removed);
    }
    return removed;
  }

  // --- internals shared with UploadSession ---

  Path blobPath(Digest digest) {
    return blobDir.resolve(digest.hex());
  }

  Path partPath(Digest digest) {
    return uploadDir.resolve(digest.hex() + ".part");
  }

  Path sizePath(Digest digest) {
    return uploadDir.resolve(digest.hex() + ".size");
  }

  Object lockFor(Digest digest) {
    return uploadLocks.computeIfAbsent(digest, d -> new Object());
  }

  long partSize(Digest digest) throws IOException {
    try {
      return Files.size(partPath(digest));
    } catch (NoSuchFileException e) {
      return 0;
    }
  }

  Optional<Long> declaredSize(Digest digest) throws IOException {
    try {
      String text = Files.readString(sizePath(digest), StandardCharsets.US_ASCII).strip();
      return Optional.of(Long.parseLong(text));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (NumberFormatException e) {
      // A damaged size file: forget the upload rather than trust it.
      Files.deleteIfExists(sizePath(digest));
      Files.deleteIfExists(partPath(digest));
      return Optional.empty();
    }
  }

  /** Makes {@code file} (fsynced, complete, verified) the blob {@code digest}, atomically. */
  void publish(Path file, Digest digest) throws IOException {
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--r--r--"));
    } catch (UnsupportedOperationException e) {
      // Not a POSIX file system: blobs are still immutable by convention.
    }
    Files.move(file, blobPath(digest), StandardCopyOption.ATOMIC_MOVE);
    fsyncDirectory(blobDir);
  }

  void writeSmallAtomically(Path target, byte[] content) throws IOException {
    Path tmp = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try {
      try (FileChannel ch =
          FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        writeFully(ch, content, content.length);
        ch.force(true);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      fsyncDirectory(target.getParent());
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  static void writeFully(FileChannel ch, byte[] buf, int len) throws IOException {
    ByteBuffer bb = ByteBuffer.wrap(buf, 0, len);
    while (bb.hasRemaining()) {
      ch.write(bb);
    }
  }

  static void fsyncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Some file systems cannot fsync a directory; the rename itself is still atomic.
    }
  }
}
