package dev.verity.log;

import dev.verity.core.Bytes;
import dev.verity.log.fs.AtomicFiles;
import dev.verity.log.note.Checkpoint;
import dev.verity.log.note.NoteSigner;
import dev.verity.log.note.NoteVerificationException;
import dev.verity.log.note.SignedCheckpoint;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A durable, append-only RFC 9162 Merkle log in one directory.
 *
 * <p>{@code entries} holds one record per entry: 4-byte big-endian length, the entry, and a CRC-32C
 * of length and entry. Appends are group-committed: one thread writes every pending entry with one
 * write and one fsync, then completes their futures, so an append's future completes only once its
 * entry is on stable storage. After each batch the log signs a checkpoint for the new size; the
 * latest one is written to {@code checkpoint} (atomically) at most every {@code checkpointInterval}
 * and on close.
 *
 * <p>On open the file is read back and every leaf hashed again: a torn record at the tail (never
 * acknowledged) is cut off; anything else that disagrees with the persisted signed checkpoint makes
 * {@link #open} throw {@link LogCorruptedException}.
 */
public final class TransparencyLog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TransparencyLog.class);

  /** Entries are served in tlog-tiles entry bundles with 16-bit lengths. */
  public static final int MAX_ENTRY = 0xffff;

  static final String ENTRIES = "entries";
  static final String CHECKPOINT = "checkpoint";

  /** How the log commits and signs. */
  public record Options(
      NoteSigner signer, int maxBatch, long checkpointIntervalMillis, int queueCapacity) {
    public Options {
      Objects.requireNonNull(signer, "signer");
      if (maxBatch < 1 || queueCapacity < 1 || checkpointIntervalMillis < 0) {
        throw new IllegalArgumentException(
            "batch size, queue capacity and interval must be positive");
      }
    }

    /**
     * Group commit of up to 4096 entries per fsync; checkpoint file rewritten at most every second.
     */
    public static Options defaults(NoteSigner signer) {
      return new Options(signer, 4096, 1000, 65536);
    }

    /** The same options with another checkpoint persistence interval. */
    public Options withInterval(long millis) {
      return new Options(signer, maxBatch, millis, queueCapacity);
    }

    /** The baseline the benchmark compares against: one fsync per append. */
    public Options oneFsyncPerAppend() {
      return new Options(signer, 1, checkpointIntervalMillis, queueCapacity);
    }
  }

  private record Pending(byte[] entry, CompletableFuture<Appended> done) {}

  private final Path dir;
  private final Options options;
  private final FileChannel channel;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final MemoryHashStore hashes = new MemoryHashStore();
  private final MerkleTree tree = MerkleTree.ofAppendOnly(hashes);
  private long[] offsets = new long[1024];
  private long writePosition;
  private final BlockingQueue<Pending> queue;
  private final Thread committer;
  private volatile SignedCheckpoint checkpoint;
  private volatile long checkpointPersistedSize = -1;
  private long lastPersistNanos;
  private volatile boolean closing;
  private volatile boolean closed;
  private volatile IOException failure;
  private volatile long commits;
  private final List<Runnable> beforeCommit = new java.util.concurrent.CopyOnWriteArrayList<>();

  private TransparencyLog(Path dir, Options options, FileChannel channel) {
    this.dir = dir;
    this.options = options;
    this.channel = channel;
    this.queue = new ArrayBlockingQueue<>(options.queueCapacity());
    this.committer =
        Thread.ofPlatform().name("verity-log-commit").daemon().unstarted(this::commitLoop);
  }

  /** Opens (or creates) the log in {@code dir}, recovering and re-verifying what is on disk. */
  public static TransparencyLog open(Path dir, Options options) throws IOException {
    Files.createDirectories(dir);
    Path file = dir.resolve(ENTRIES);
    boolean created = !Files.exists(file);
    FileChannel ch =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    if (created) {
      AtomicFiles.fsyncDirectory(dir);
    }
    // Two writers on one log would interleave records; the OS drops the lock if we crash.
    java.nio.channels.FileLock lock;
    try {
      lock = ch.tryLock();
    } catch (java.nio.channels.OverlappingFileLockException e) {
      ch.close();
      throw new IOException("log " + dir + " is already open in this process", e);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
    if (lock == null) {
      ch.close();
      throw new IOException("log " + dir + " is already open in another process");
    }
    TransparencyLog log = new TransparencyLog(dir, options, ch);
    try {
      log.recover();
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
    log.committer.start();
    return log;
  }

  private void recover() throws IOException {
    Optional<SignedCheckpoint> persisted = readPersistedCheckpoint();
    long fileSize = channel.size();
    long pos = 0;
    long count = 0;
    try (InputStream in =
            new BufferedInputStream(Files.newInputStream(dir.resolve(ENTRIES)), 1 << 16);
        DataInputStream data = new DataInputStream(in)) {
      CRC32C crc = new CRC32C();
      byte[] lenBytes = new byte[4];
      while (pos < fileSize) {
        long remaining = fileSize - pos;
        if (remaining < 8) {
          break;
        }
        data.readFully(lenBytes);
        int len = ByteBuffer.wrap(lenBytes).getInt();
        if (len < 0 || len > MAX_ENTRY || remaining < 8L + len) {
          break;
        }
        byte[] entry = new byte[len];
        data.readFully(entry);
        int stored = data.readInt();
        crc.reset();
        crc.update(lenBytes);
        crc.update(entry);
        if ((int) crc.getValue() != stored) {
          break;
        }
        addLeaf(pos, Rfc9162.leafHash(entry));
        pos += 8L + len;
        count++;
      }
    } catch (EOFException e) {
      throw new LogCorruptedException("entries file changed while it was being read", e);
    }
    long acknowledgedAtLeast = persisted.map(c -> c.checkpoint().size()).orElse(0L);
    if (count < acknowledgedAtLeast) {
      throw new LogCorruptedException(
          "entries file holds "
              + count
              + " valid records but the signed checkpoint covers "
              + acknowledgedAtLeast
              + "; record "
              + count
              + " at byte "
              + pos
              + " is damaged");
    }
    if (pos < fileSize) {
      LOG.warn(
          "log {}: dropping {} bytes of an incomplete record at the tail (never acknowledged)",
          dir,
          fileSize - pos);
      channel.truncate(pos);
      channel.force(true);
    }
    writePosition = pos;
    channel.position(pos);
    if (persisted.isPresent()) {
      Checkpoint c = persisted.get().checkpoint();
      Bytes root = tree.rootHash(c.size());
      if (!root.equals(c.rootHash())) {
        throw new LogCorruptedException(
            "tree root at size " + c.size() + " does not match the persisted signed checkpoint");
      }
      checkpointPersistedSize = c.size();
    }
    checkpoint = signCheckpoint(count);
    LOG.info(
        "log {} opened: {} entries, root {}",
        dir,
        count,
        checkpoint.checkpoint().rootHash().toHex());
  }

  private Optional<SignedCheckpoint> readPersistedCheckpoint() throws IOException {
    Path f = dir.resolve(CHECKPOINT);
    if (!Files.exists(f)) {
      return Optional.empty();
    }
    try {
      SignedCheckpoint c =
          SignedCheckpoint.verify(
              Files.readString(f, StandardCharsets.UTF_8), options.signer().verifierKey());
      return Optional.of(c);
    } catch (NoteVerificationException | IllegalArgumentException e) {
      throw new LogCorruptedException("persisted checkpoint is invalid: " + e.getMessage(), e);
    }
  }

  private void addLeaf(long offset, byte[] leafHash) {
    long index = hashes.size();
    if (index == offsets.length) {
      offsets = Arrays.copyOf(offsets, offsets.length * 2);
    }
    offsets[Math.toIntExact(index)] = offset;
    hashes.append(leafHash);
  }

  /**
   * Queues {@code entry}; the future completes once it is fsync'd, or fails with the I/O error that
   * prevented it. Blocks while the queue is full. Dependent stages run on the commit thread unless
   * added with an async variant.
   */
  public CompletableFuture<Appended> append(byte[] entry) {
    if (entry.length > MAX_ENTRY) {
      throw new IllegalArgumentException(
          "log entry of " + entry.length + " bytes exceeds the " + MAX_ENTRY + " byte limit");
    }
    IOException f = failure;
    if (f != null) {
      return CompletableFuture.failedFuture(f);
    }
    if (closing) {
      return CompletableFuture.failedFuture(new IllegalStateException("log is closed"));
    }
    Pending p = new Pending(entry.clone(), new CompletableFuture<>());
    try {
      queue.put(p);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return CompletableFuture.failedFuture(e);
    }
    // close() may have drained the queue between the check above and the put.
    if (closed && queue.remove(p)) {
      p.done().completeExceptionally(new IllegalStateException("log is closed"));
    }
    return p.done();
  }

  private void commitLoop() {
    List<Pending> batch = new ArrayList<>();
    while (true) {
      batch.clear();
      try {
        Pending first = queue.poll(50, TimeUnit.MILLISECONDS);
        if (first == null) {
          if (closing && queue.isEmpty()) {
            return;
          }
          maybePersistCheckpoint(false);
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, options.maxBatch() - 1);
      } catch (InterruptedException e) {
        return;
      }
      commit(batch);
    }
  }

  /**
   * Runs {@code hook} on the commit thread before each batch is written: whatever an appended entry
   * refers to and was written before its append (a node's archived inputs) reaches the file system
   * before the entry is acknowledged. A hook that throws is logged; the batch is committed anyway.
   */
  public void beforeEachCommit(Runnable hook) {
    beforeCommit.add(Objects.requireNonNull(hook, "hook"));
  }

  private void commit(List<Pending> batch) {
    IOException f = failure;
    if (f != null) {
      batch.forEach(p -> p.done().completeExceptionally(f));
      return;
    }
    for (Runnable hook : beforeCommit) {
      try {
        hook.run();
      } catch (RuntimeException e) {
        LOG.warn("log {}: a before-commit hook failed", dir, e);
      }
    }
    int total = 0;
    for (Pending p : batch) {
      total += 8 + p.entry().length;
    }
    ByteBuffer buf = ByteBuffer.allocate(total);
    byte[][] leafHashes = new byte[batch.size()][];
    CRC32C crc = new CRC32C();
    for (int i = 0; i < batch.size(); i++) {
      byte[] e = batch.get(i).entry();
      byte[] len = ByteBuffer.allocate(4).putInt(e.length).array();
      crc.reset();
      crc.update(len);
      crc.update(e);
      buf.put(len).put(e).putInt((int) crc.getValue());
      leafHashes[i] = Rfc9162.leafHash(e);
    }
    buf.flip();
    long start = writePosition;
    try {
      while (buf.hasRemaining()) {
        channel.write(buf);
      }
      channel.force(false);
    } catch (IOException e) {
      // After a failed write or fsync the file's state is unknown: stop accepting entries.
      failure = new IOException("log append failed; the log refuses further appends", e);
      LOG.error("log {}: append failed", dir, e);
      batch.forEach(p -> p.done().completeExceptionally(failure));
      return;
    }
    writePosition = start + total;
    commits++;
    List<Appended> results = new ArrayList<>(batch.size());
    lock.writeLock().lock();
    long size;
    try {
      long off = start;
      for (int i = 0; i < batch.size(); i++) {
        results.add(new Appended(hashes.size(), Bytes.copyOf(leafHashes[i])));
        addLeaf(off, leafHashes[i]);
        off += 8 + batch.get(i).entry().length;
      }
      size = hashes.size();
    } finally {
      lock.writeLock().unlock();
    }
    checkpoint = signCheckpoint(size);
    for (int i = 0; i < batch.size(); i++) {
      batch.get(i).done().complete(results.get(i));
    }
    maybePersistCheckpoint(false);
  }

  private SignedCheckpoint signCheckpoint(long size) {
    Bytes root = rootHash(size);
    return SignedCheckpoint.sign(
        new Checkpoint(options.signer().name(), size, root), options.signer());
  }

  private void maybePersistCheckpoint(boolean force) {
    SignedCheckpoint c = checkpoint;
    if (c == null || c.checkpoint().size() == checkpointPersistedSize) {
      return;
    }
    long now = System.nanoTime();
    if (!force
        && now - lastPersistNanos
            < TimeUnit.MILLISECONDS.toNanos(options.checkpointIntervalMillis())) {
      return;
    }
    try {
      AtomicFiles.write(dir.resolve(CHECKPOINT), c.encode().getBytes(StandardCharsets.UTF_8));
      checkpointPersistedSize = c.checkpoint().size();
      lastPersistNanos = now;
    } catch (IOException e) {
      LOG.warn("log {}: could not persist checkpoint of size {}", dir, c.checkpoint().size(), e);
    }
  }

  /** How many batches (each one write and one fsync) were committed since open. */
  public long commitCount() {
    return commits;
  }

  /** Number of durable entries. */
  public long size() {
    lock.readLock().lock();
    try {
      return hashes.size();
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The verifier key of this log's checkpoints. */
  public dev.verity.log.note.VerifierKey signerKey() {
    return options.signer().verifierKey();
  }

  /** The latest signed checkpoint; it covers every acknowledged entry. */
  public SignedCheckpoint checkpoint() {
    return checkpoint;
  }

  public Bytes rootHash(long size) {
    lock.readLock().lock();
    try {
      checkSize(size);
      return tree.rootHash(size);
    } finally {
      lock.readLock().unlock();
    }
  }

  public InclusionProof inclusionProof(long index, long size) {
    lock.readLock().lock();
    try {
      checkSize(size);
      return tree.inclusionProof(index, size);
    } finally {
      lock.readLock().unlock();
    }
  }

  public ConsistencyProof consistencyProof(long oldSize, long newSize) {
    lock.readLock().lock();
    try {
      checkSize(newSize);
      return tree.consistencyProof(oldSize, newSize);
    } finally {
      lock.readLock().unlock();
    }
  }

  public Bytes leafHash(long index) {
    lock.readLock().lock();
    try {
      checkIndex(index);
      return Bytes.copyOf(hashes.completeSubtree(0, index));
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * The hash of the complete subtree of {@code 2^level} leaves starting at leaf {@code index *
   * 2^level}; it must lie inside the durable tree.
   */
  public byte[] completeSubtree(int level, long index) {
    lock.readLock().lock();
    try {
      return hashes.completeSubtree(level, index);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Reads entry {@code index} back from disk. */
  public byte[] entry(long index) throws IOException {
    long off;
    lock.readLock().lock();
    try {
      checkIndex(index);
      off = offsets[Math.toIntExact(index)];
    } finally {
      lock.readLock().unlock();
    }
    ByteBuffer len = ByteBuffer.allocate(4);
    readFully(len, off);
    int n = len.flip().getInt();
    ByteBuffer e = ByteBuffer.allocate(n);
    readFully(e, off + 4);
    return e.array();
  }

  private void readFully(ByteBuffer b, long pos) throws IOException {
    while (b.hasRemaining()) {
      int n = channel.read(b, pos + b.position());
      if (n < 0) {
        throw new EOFException("entries file ends early");
      }
    }
  }

  private void checkSize(long size) {
    if (size < 0 || size > hashes.size()) {
      throw new IllegalArgumentException(
          "tree size " + size + " is outside the log's durable size " + hashes.size());
    }
  }

  private void checkIndex(long index) {
    if (index < 0 || index >= hashes.size()) {
      throw new IllegalArgumentException(
          "entry index " + index + " is outside the log's durable size " + hashes.size());
    }
  }

  /** Commits what is queued, persists the latest checkpoint and closes the file. */
  @Override
  public void close() throws IOException {
    if (closing) {
      return;
    }
    closing = true;
    try {
      committer.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closed = true;
    Pending p;
    while ((p = queue.poll()) != null) {
      p.done()
          .completeExceptionally(
              new IllegalStateException("log closed before the entry was committed"));
    }
    maybePersistCheckpoint(true);
    channel.close();
  }
}
