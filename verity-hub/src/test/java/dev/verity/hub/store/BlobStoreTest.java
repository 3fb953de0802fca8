package dev.verity.hub.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.core.Digest;
import dev.verity.core.DigestMismatchException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobStoreTest {
  @TempDir Path root;
  private BlobStore store;
  private byte[] data;
  private Digest digest;

  @BeforeEach
  void setUp() throws IOException {
    store = new BlobStore(root, StoreLimits.defaults().withMaxBlobBytes(1 << 20));
    data = new byte[300_000];
    new Random(1).nextBytes(data);
    digest = Digest.of(data);
  }

  @Test
  void put_thenOpen_returnsContent_fileIsReadOnlyAtContentAddress() throws Exception {
    assertThat(store.put(new ByteArrayInputStream(data), digest, data.length)).isTrue();
    assertThat(store.has(digest)).isTrue();
    assertThat(store.size(digest)).isEqualTo(data.length);
    try (InputStream in = store.open(digest)) {
      assertThat(in.readAllBytes()).isEqualTo(data);
    }
    Path file = root.resolve("blobs/sha256/" + digest.hex());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("r--r--r--");
    assertThat(store.put(new ByteArrayInputStream(data), digest, data.length)).isFalse();
    assertThat(blobDirEntries()).containsExactly(digest.hex());
  }

  @Test
  void put_streamFailsMidway_noBlobVisible_tempRemoved() {
    InputStream failing = new FailingStream(data, 100_000);
    assertThatThrownBy(() -> store.put(failing, digest, data.length))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("connection reset");
    assertThat(store.has(digest)).isFalse();
    assertThat(blobDirEntries()).isEmpty();
  }

  @Test
  void put_wrongContent_namesExpectedAndActual_nothingKept() {
    byte[] other = data.clone();
    other[5] ^= 1;
    assertThatThrownBy(() -> store.put(new ByteArrayInputStream(other), digest, other.length))
        .isInstanceOf(DigestMismatchException.class)
        .hasMessageContaining("expected " + digest)
        .hasMessageContaining("hashes to " + Digest.of(other));
    assertThat(store.has(digest)).isFalse();
    assertThat(blobDirEntries()).isEmpty();
  }

  @Test
  void put_oversize_refusedBeforeReading_andWhenUndeclared() {
    byte[] big = new byte[(1 << 20) + 1];
    Digest d = Digest.of(big);
    assertThatThrownBy(() -> store.put(new ByteArrayInputStream(big), d, big.length))
        .isInstanceOf(SizeLimitExceededException.class)
        .hasMessageContaining("limit is 1048576 bytes");
    assertThatThrownBy(() -> store.put(new ByteArrayInputStream(big), d, -1))
        .isInstanceOf(SizeLimitExceededException.class);
    assertThatThrownBy(() -> store.put(new ByteArrayInputStream(data), digest, -1, 1000))
        .isInstanceOf(SizeLimitExceededException.class)
        .hasMessageContaining("limit is 1000 bytes");
    assertThat(blobDirEntries()).isEmpty();
  }

  @Test
  void put_sizeDiffersFromDeclared_rejected() {
    assertThatThrownBy(() -> store.put(new ByteArrayInputStream(data), digest, data.length + 1))
        .isInstanceOf(SizeMismatchException.class)
        .hasMessageContaining("ended after 300000 bytes, declared 300001");
    assertThatThrownBy(() -> store.put(new ByteArrayInputStream(data), digest, data.length - 1))
        .isInstanceOf(SizeMismatchException.class)
        .hasMessageContaining("longer than the declared 299999 bytes");
    assertThat(blobDirEntries()).isEmpty();
  }

  @Test
  void open_tamperedBlobOnDisk_detectedAtEndOfStream() throws Exception {
    store.put(new ByteArrayInputStream(data), digest, data.length);
    Path file = root.resolve("blobs/sha256/" + digest.hex());
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    byte[] bad = data.clone();
    bad[123_456] ^= 0x40;
    Files.write(file, bad);
    assertThatThrownBy(
            () -> {
              try (InputStream in = store.open(digest)) {
                in.readAllBytes();
              }
            })
        .isInstanceOf(CorruptBlobException.class)
        .hasMessageContaining("stored blob " + digest + " is corrupt")
        .hasMessageContaining(Digest.of(bad).toString());
    assertThatThrownBy(() -> store.verify(digest)).isInstanceOf(CorruptBlobException.class);
  }

  @Test
  void open_skipStillVerifies() throws Exception {
    store.put(new ByteArrayInputStream(data), digest, data.length);
    Path file = root.resolve("blobs/sha256/" + digest.hex());
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    byte[] bad = data.clone();
    bad[10] ^= 1;
    Files.write(file, bad);
    assertThatThrownBy(
            () -> {
              try (InputStream in = store.open(digest)) {
                in.skip(1000);
                in.readAllBytes();
              }
            })
        .isInstanceOf(CorruptBlobException.class);
  }

  @Test
  void open_missing_throwsNotFound() {
    assertThatThrownBy(() -> store.open(digest))
        .isInstanceOf(BlobNotFoundException.class)
        .hasMessageContaining(digest.toString());
  }

  @Test
  void openRange_returnsExactBytes_rejectsOutOfBounds() throws Exception {
    store.put(new ByteArrayInputStream(data), digest, data.length);
    try (InputStream in = store.openRange(digest, 1000, 1999)) {
      assertThat(in.readAllBytes()).isEqualTo(java.util.Arrays.copyOfRange(data, 1000, 2000));
    }
    try (InputStream in = store.openRange(digest, data.length - 1, data.length - 1)) {
      assertThat(in.readAllBytes()).containsExactly(data[data.length - 1]);
    }
    assertThatThrownBy(() -> store.openRange(digest, 0, data.length))
        .isInstanceOf(InvalidRangeException.class)
        .hasMessageContaining("of 300000 bytes");
    assertThatThrownBy(() -> store.openRange(digest, 5, 4))
        .isInstanceOf(InvalidRangeException.class);
  }

  @Test
  void upload_interruptedThenResumed_completesAndVerifies() throws Exception {
    UploadSession s = store.upload(digest, data.length);
    assertThat(s.offset()).isZero();
    assertThatThrownBy(() -> s.append(new FailingStream(data, 120_000), 0))
        .isInstanceOf(IOException.class);
    long offset = store.existingUpload(digest).orElseThrow().offset();
    assertThat(offset).isEqualTo(120_000);
    assertThat(store.has(digest)).isFalse();
    assertThat(blobDirEntries()).isEmpty();

    // A second process-level session (e.g. after a client restart) sees the same offset.
    UploadSession again = new BlobStore(root, store.limits()).upload(digest, data.length);
    assertThat(again.offset()).isEqualTo(120_000);
    long end =
        again.append(
            new ByteArrayInputStream(data, (int) offset, data.length - (int) offset), offset);
    assertThat(end).isEqualTo(data.length);
    assertThat(again.isComplete()).isTrue();
    try (InputStream in = store.open(digest)) {
      assertThat(in.readAllBytes()).isEqualTo(data);
    }
    try (Stream<Path> up = Files.list(root.resolve("uploads"))) {
      assertThat(up).isEmpty();
    }
  }

  @Test
  void upload_wrongOffset_refusedNamingCurrentOffset() throws Exception {
    UploadSession s = store.upload(digest, data.length);
    s.append(new ByteArrayInputStream(data, 0, 1000), 0);
    assertThatThrownBy(() -> s.append(new ByteArrayInputStream(data, 2000, 10), 2000))
        .isInstanceOf(UploadOffsetException.class)
        .hasMessageContaining("starts at offset 2000 but 1000 bytes are stored")
        .satisfies(e -> assertThat(((UploadOffsetException) e).currentOffset()).isEqualTo(1000));
  }

  @Test
  void upload_moreThanDeclared_chunkDiscarded_offsetUnchanged() throws Exception {
    UploadSession s = store.upload(digest, data.length);
    s.append(new ByteArrayInputStream(data, 0, 1000), 0);
    byte[] tooMuch = new byte[data.length];
    assertThatThrownBy(() -> s.append(new ByteArrayInputStream(tooMuch), 1000))
        .isInstanceOf(SizeMismatchException.class)
        .hasMessageContaining("upload stays at offset 1000");
    assertThat(s.offset()).isEqualTo(1000);
  }

  @Test
  void upload_completedWithWrongContent_partialDeleted_noBlob() throws Exception {
    byte[] other = data.clone();
    other[0] ^= 1;
    UploadSession s = store.upload(digest, data.length);
    assertThatThrownBy(() -> s.append(new ByteArrayInputStream(other), 0))
        .isInstanceOf(DigestMismatchException.class)
        .hasMessageContaining("expected " + digest);
    assertThat(store.has(digest)).isFalse();
    assertThat(store.existingUpload(digest)).isEmpty();
    try (Stream<Path> up = Files.list(root.resolve("uploads"))) {
      assertThat(up).isEmpty();
    }
  }

  @Test
  void upload_oversizeDeclared_refused() {
    assertThatThrownBy(() -> store.upload(digest, (1 << 20) + 1))
        .isInstanceOf(SizeLimitExceededException.class);
  }

  @Test
  void cleanupStaleUploads_removesOnlyOldPartials() throws Exception {
    Digest other = Digest.of(new byte[] {1});
    store.upload(digest, data.length).append(new ByteArrayInputStream(data, 0, 10), 0);
    store.upload(other, 1);
    FileTime old = FileTime.from(Instant.now().minus(Duration.ofDays(2)));
    Files.setLastModifiedTime(root.resolve("uploads/" + digest.hex() + ".part"), old);
    Files.setLastModifiedTime(root.resolve("uploads/" + digest.hex() + ".size"), old);
    Path strayTemp = root.resolve("blobs/sha256/.put-crashed.tmp");
    Files.write(strayTemp, new byte[5]);
    Files.setLastModifiedTime(strayTemp, old);
    Path strayIndexTemp = root.resolve(".index.json.crashed.tmp");
    Files.write(strayIndexTemp, new byte[5]);
    Files.setLastModifiedTime(strayIndexTemp, old);
    assertThat(store.cleanupStaleUploads(Duration.ofHours(24))).isEqualTo(4);
    assertThat(strayIndexTemp).doesNotExist();
    assertThat(store.existingUpload(digest)).isEmpty();
    assertThat(store.existingUpload(other)).isPresent();
    assertThat(strayTemp).doesNotExist();
  }

  @Test
  void upload_concurrentAppendsAtSameOffset_oneWins_otherToldCurrentOffset() throws Exception {
    UploadSession s = store.upload(digest, data.length);
    int n = 4;
    ExecutorService pool = Executors.newFixedThreadPool(n);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<Long>> results = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  return s.append(new ByteArrayInputStream(data, 0, 50_000), 0);
                }));
      }
      start.countDown();
      int ok = 0;
      int conflicts = 0;
      for (Future<Long> f : results) {
        try {
          assertThat(f.get()).isEqualTo(50_000);
          ok++;
        } catch (java.util.concurrent.ExecutionException e) {
          assertThat(e.getCause()).isInstanceOf(UploadOffsetException.class);
          assertThat(((UploadOffsetException) e.getCause()).currentOffset()).isEqualTo(50_000);
          conflicts++;
        }
      }
      assertThat(ok).isEqualTo(1);
      assertThat(conflicts).isEqualTo(n - 1);
    } finally {
      pool.shutdownNow();
    }
    s.append(new ByteArrayInputStream(data, 50_000, data.length - 50_000), 50_000);
    store.verify(digest);
  }

  @Test
  void upload_emptyBlob_completesOnFirstAppend() throws Exception {
    Digest empty = Digest.of(new byte[0]);
    UploadSession s = store.upload(empty, 0);
    assertThat(s.append(new ByteArrayInputStream(new byte[0]), 0)).isZero();
    assertThat(store.has(empty)).isTrue();
    assertThat(store.size(empty)).isZero();
  }

  @Test
  void put_concurrentSameBlob_allSucceed_oneIntactBlob() throws Exception {
    int n = 8;
    ExecutorService pool = Executors.newFixedThreadPool(n);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Callable<Boolean> c =
            () -> {
              start.await();
              return store.put(new ByteArrayInputStream(data), digest, data.length);
            };
        results.add(pool.submit(c));
      }
      start.countDown();
      int stored = 0;
      for (Future<Boolean> f : results) {
        stored += f.get() ? 1 : 0;
      }
      assertThat(stored).isBetween(1, n);
    } finally {
      pool.shutdownNow();
    }
    store.verify(digest);
    assertThat(blobDirEntries()).containsExactly(digest.hex());
  }

  private List<String> blobDirEntries() {
    try (Stream<Path> s = Files.list(root.resolve("blobs/sha256"))) {
      return s.map(p -> p.getFileName().toString()).toList();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Delivers the first {@code failAfter} bytes, then fails like a dropped connection. */
  static final class FailingStream extends InputStream {
    private final byte[] data;
    private final int failAfter;
    private int pos;

    FailingStream(byte[] data, int failAfter) {
      this.data = data;
      this.failAfter = failAfter;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (pos >= failAfter) {
        throw new IOException("connection reset by peer");
      }
      int n = Math.min(len, Math.min(failAfter - pos, 7000));
      System.arraycopy(data, pos, b, off, n);
      pos += n;
      return n;
    }
  }
}
