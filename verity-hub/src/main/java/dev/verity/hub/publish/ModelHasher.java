package dev.verity.hub.publish;

import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.hub.manifest.ManifestFile;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * Hashes the files of a model with SHA-256, using all cores.
 *
 * <p>A file's digest is plain SHA-256 of its whole content, identical to {@code sha256sum}. SHA-256
 * is sequential within one file, so parallelism comes from two places: different files are hashed
 * on different threads, and for large files a reader thread fills buffers while the hashing thread
 * digests the previous ones, so reading (page-cache copies or disk I/O) overlaps with hashing.
 */
public final class ModelHasher {
  /** Buffer size for each read; large enough to amortize system calls. */
  static final int CHUNK = 4 << 20;

  /** Files at least this large are hashed with a separate reader thread. */
  static final long PIPELINE_THRESHOLD = 16L << 20;

  private final int threads;

  /** A hasher using one worker per available processor. */
  public ModelHasher() {
    this(Runtime.getRuntime().availableProcessors());
  }

  public ModelHasher(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    this.threads = threads;
  }

  /**
   * The files of a model, sorted by manifest path. A regular file is a one-file model named by its
   * file name; a directory contributes every regular file below it, with '/'-separated paths
   * relative to it. Symbolic links are followed only when their target is a regular file inside the
   * model directory; links leading outside it, to directories, or dangling are refused, as are
   * special files and file names that are not valid manifest paths.
   *
   * @throws IOException naming the offending file
   */
  public static List<LocalFile> listFiles(Path modelPath) throws IOException {
    if (!Files.exists(modelPath)) {
      throw new java.nio.file.NoSuchFileException(
          modelPath.toString(), null, "model path does not exist");
    }
    if (Files.isRegularFile(modelPath)) {
      String name = modelPath.getFileName().toString();
      return List.of(new LocalFile(checkedPath(name, modelPath), modelPath, Files.size(modelPath)));
    }
    if (!Files.isDirectory(modelPath)) {
      throw new IOException(
          "model path " + modelPath + " is neither a regular file nor a directory");
    }
    Path root = modelPath.toAbsolutePath().normalize();
    Path realRoot = root.toRealPath();
    List<LocalFile> out = new ArrayList<>();
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            String rel = relative(root, file);
            if (attrs.isSymbolicLink()) {
              Path target;
              try {
                target = file.toRealPath();
              } catch (IOException e) {
                throw new IOException("symbolic link " + file + " is dangling", e);
              }
              if (!target.startsWith(realRoot)) {
                throw new IOException(
                    "symbolic link "
                        + file
                        + " leads outside the model directory (to "
                        + target
                        + "); Verity does not follow links out of a model directory");
              }
              if (!Files.isRegularFile(target)) {
                throw new IOException("symbolic link " + file + " does not lead to a regular file");
              }
              out.add(new LocalFile(checkedPath(rel, file), target, Files.size(target)));
            } else if (attrs.isRegularFile()) {
              out.add(new LocalFile(checkedPath(rel, file), file, attrs.size()));
            } else {
              throw new IOException(file + " is not a regular file (device, pipe or socket)");
            }
            return FileVisitResult.CONTINUE;
          }
        });
    if (out.isEmpty()) {
      throw new IOException("model directory " + modelPath + " contains no files");
    }
    out.sort(Comparator.comparing(LocalFile::path));
    return List.copyOf(out);
  }

  /** Lists and hashes a model; see {@link #listFiles} and {@link #hash(List, ProgressListener)}. */
  public List<ManifestFile> hash(Path modelPath, ProgressListener progress) throws IOException {
    return hash(listFiles(modelPath), progress);
  }

  /**
   * Hashes {@code files} in parallel and returns their manifest entries in the same order.
   *
   * @throws IOException if a file cannot be read or changes size while it is hashed
   */
  public List<ManifestFile> hash(List<LocalFile> files, ProgressListener progress)
      throws IOException {
    long total = 0;
    for (LocalFile f : files) {
      total += f.size();
    }
    Progress tracker = new Progress(progress, total);
    ManifestFile[] results = new ManifestFile[files.size()];
    // Largest first, so one big file does not start last and leave other cores idle.
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      order.add(i);
    }
    order.sort(Comparator.comparingLong((Integer i) -> files.get(i).size()).reversed());
    ExecutorService pool =
        Executors.newFixedThreadPool(Math.min(threads, Math.max(1, files.size())), daemon("hash"));
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int i : order) {
        LocalFile f = files.get(i);
        futures.add(
            pool.submit(
                () -> {
                  try {
                    Hashed h =
                        f.size() >= PIPELINE_THRESHOLD && threads > 1
                            ? sha256Pipelined(f.file(), tracker::add)
                            : sha256(f.file(), tracker::add);
                    results[i] = new ManifestFile(f.path(), checkSize(f, h.size()), h.digest());
                  } catch (IOException e) {
                    throw new UncheckedIOException(e);
                  }
                  return null;
                }));
      }
      for (Future<?> fut : futures) {
        try {
          fut.get();
        } catch (ExecutionException e) {
          if (e.getCause() instanceof UncheckedIOException u) {
            throw u.getCause();
          }
          throw new IOException("hashing failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while hashing");
        }
      }
    } finally {
      pool.shutdownNow();
    }
    tracker.finish();
    return List.of(results);
  }

  /** SHA-256 of a file, read sequentially on the calling thread. */
  public static Digest sha256(Path file) throws IOException {
    return sha256(file, n -> {}).digest();
  }

  /** A digest and the number of bytes it covers. */
  record Hashed(Digest digest, long size) {}

  static Hashed sha256(Path file, LongConsumer progress) throws IOException {
    long size = 0;
    MessageDigest md = Digest.newSha256();
    byte[] buf = new byte[CHUNK];
    ByteBuffer bb = ByteBuffer.wrap(buf);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      while (true) {
        bb.clear();
        int n = ch.read(bb);
        if (n < 0) {
          break;
        }
        md.update(buf, 0, n);
        size += n;
        progress.accept(n);
      }
    }
    return new Hashed(new Digest(Bytes.copyOf(md.digest())), size);
  }

  /**
   * SHA-256 of a file with a reader thread filling buffers while this thread hashes, so I/O and
   * hashing overlap.
   */
  static Hashed sha256Pipelined(Path file, LongConsumer progress) throws IOException {
    int depth = 4;
    BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(depth);
    BlockingQueue<Object> filled = new ArrayBlockingQueue<>(depth + 2);
    int[] lengths = new int[depth];
    byte[][] bufs = new byte[depth][];
    for (int i = 0; i < depth; i++) {
      bufs[i] = new byte[CHUNK];
      free.add(bufs[i]);
    }
    Object end = new Object();
    Thread reader =
        Thread.ofPlatform()
            .daemon()
            .name("hash-reader")
            .start(
                () -> {
                  try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                    while (true) {
                      byte[] b = free.take();
                      ByteBuffer bb = ByteBuffer.wrap(b);
                      // Fill the buffer fully (short reads are rare) to keep hashing in big steps.
                      int n = 0;
                      while (bb.hasRemaining()) {
                        int r = ch.read(bb);
                        if (r < 0) {
                          break;
                        }
                        n += r;
                      }
                      if (n > 0) {
                        lengths[indexOf(bufs, b)] = n;
                        filled.put(b);
                      }
                      if (bb.hasRemaining()) {
                        filled.put(end);
                        return;
                      }
                    }
                  } catch (IOException e) {
                    filled.offer(e);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
    MessageDigest md = Digest.newSha256();
    long size = 0;
    try {
      while (true) {
        Object item = filled.take();
        if (item == end) {
          break;
        }
        if (item instanceof IOException e) {
          throw new IOException("reading " + file + " failed: " + e.getMessage(), e);
        }
        byte[] b = (byte[]) item;
        int n = lengths[indexOf(bufs, b)];
        md.update(b, 0, n);
        size += n;
        progress.accept(n);
        free.put(b);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while hashing " + file);
    } finally {
      reader.interrupt();
    }
    return new Hashed(new Digest(Bytes.copyOf(md.digest())), size);
  }

  private static int indexOf(byte[][] bufs, byte[] b) {
    for (int i = 0; i < bufs.length; i++) {
      if (bufs[i] == b) {
        return i;
      }
    }
    throw new IllegalStateException("unknown buffer");
  }

  private static long checkSize(LocalFile f, long hashedSize) throws IOException {
    if (hashedSize != f.size()) {
      throw new IOException(
          "file "
              + f.file()
              + " changed while it was hashed (size "
              + f.size()
              + " when listed, "
              + hashedSize
              + " bytes read)");
    }
    return hashedSize;
  }

  private static String checkedPath(String rel, Path file) throws IOException {
    try {
      ManifestFile.checkPath(rel);
      return rel;
    } catch (IllegalArgumentException e) {
      throw new IOException("cannot publish " + file + ": " + e.getMessage(), e);
    }
  }

  private static String relative(Path root, Path file) {
    Path rel = root.relativize(file);
    StringBuilder sb = new StringBuilder();
    for (Path part : rel) {
      if (!sb.isEmpty()) {
        sb.append('/');
      }
      sb.append(part);
    }
    return sb.toString();
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return Thread.ofPlatform().daemon().name(name + "-", 0).factory();
  }

  /** Serializes progress calls and keeps the count monotonic. */
  private static final class Progress {
    private final ProgressListener listener;
    private final long total;
    private final AtomicLong done = new AtomicLong();

    Progress(ProgressListener listener, long total) {
      this.listener = listener;
      this.total = total;
    }

    synchronized void add(long n) {
      listener.progress(done.addAndGet(n), total);
    }

    synchronized void finish() {
      if (total == 0) {
        listener.progress(0, 0);
      }
    }
  }
}
