package dev.verity.node.inference;

import com.fasterxml.jackson.databind.JsonNode;
import dev.verity.core.Digest;
import dev.verity.engine.Tensor;
import dev.verity.engine.TensorEncoding;
import dev.verity.engine.TensorJson;
import dev.verity.node.http.Json;
import dev.verity.node.index.LongMultiMap;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Inference inputs and outputs by their digest, so a bundle fetched later can carry them and a
 * dispute can re-execute a request whose trace was deferred.
 *
 * <p>Tensor maps are appended to segment files {@code segment-000001.vtmp}, ... (a new one after
 * {@link #SEGMENT_BYTES}); each record is the map's digest (32 bytes), the length n of its
 * canonical encoding (u32 big-endian), the encoding ({@link TensorEncoding#encodeMap}, whose
 * SHA-256 is the digest) and a CRC-32C (u32 big-endian) of everything before it in the record.
 * Records are buffered and written together, before each group commit of the receipt log ({@link
 * #flush}): a file per map cost about as much CPU as the inference itself, a write per map a tenth
 * of it. The index (digest to segment and offset, about 150 bytes of heap per archived map) is
 * rebuilt by reading the segments on start.
 *
 * <p>Not fsync'd, because the receipt does not depend on it and the client already holds its input:
 * after a power loss a torn record at the end is cut off, and a bundle may come without its input.
 * Every read checks the CRC and the digest. Maps archived by earlier versions as {@code <hex>.json}
 * files are still read. One archive per data directory (the node's receipt log lock keeps a second
 * node off it).
 */
final class InputArchive implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(InputArchive.class);

  /** A segment is closed for appends once it reaches this size. */
  static final long SEGMENT_BYTES = 1L << 30;

  /** Records are gathered here and written together: one write per receipt group commit. */
  static final int BUFFER_BYTES = 256 * 1024;

  private static final int HEADER = 32 + 4;
  private static final Pattern SEGMENT = Pattern.compile("segment-(\\d{6})\\.vtmp");

  private final Path dir;
  private final long segmentBytes;
  // First 8 bytes of a digest -> segment and offset of its record; every candidate is confirmed
  // against the digest stored in the record, so a stale or colliding entry is only a wasted slot.
  private final LongMultiMap index = new LongMultiMap(); // guarded by itself
  private final Map<Integer, FileChannel> segments = new ConcurrentHashMap<>();
  private final ReentrantLock appendLock = new ReentrantLock();
  private int current; // guarded by appendLock
  private long currentSize; // guarded by appendLock: bytes written to the current segment
  // Records not yet written, and their encodings by digest for reads meanwhile.
  private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES); // guarded by appendLock
  private final Map<Digest, byte[]> unwritten = new ConcurrentHashMap<>();

  InputArchive(Path dir) throws IOException {
    this(dir, SEGMENT_BYTES);
  }

  InputArchive(Path dir, long segmentBytes) throws IOException {
    this.dir = dir;
    this.segmentBytes = segmentBytes;
    Files.createDirectories(dir);
    List<Integer> numbers = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "segment-*.vtmp")) {
      for (Path p : ds) {
        Matcher m = SEGMENT.matcher(p.getFileName().toString());
        if (m.matches()) {
          numbers.add(Integer.parseInt(m.group(1)));
        }
      }
    }
    numbers.sort(null);
    try {
      for (int i = 0; i < numbers.size(); i++) {
        recover(numbers.get(i), i == numbers.size() - 1);
      }
      if (numbers.isEmpty()) {
        open(1);
        current = 1;
        currentSize = 0;
      }
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  private Path segmentPath(int number) {
    return dir.resolve(String.format("segment-%06d.vtmp", number));
  }

  private FileChannel open(int number) throws IOException {
    FileChannel ch =
        FileChannel.open(
            segmentPath(number),
            StandardOpenOption.CREATE,
            StandardOpenOption.READ,
            StandardOpenOption.WRITE);
    segments.put(number, ch);
    return ch;
  }

  /**
   * Indexes one segment's records. Only the last one, where a crash can leave a torn record, is
   * read whole and checked record by record (a torn or damaged tail is cut off); closed segments
   * are walked header to header, so a start reads about 36 bytes per archived map there instead of
   * the whole archive (every load still checks its record's CRC and digest).
   */
  private void recover(int number, boolean last) throws IOException {
    FileChannel ch = open(number);
    long size = ch.size();
    long pos = last ? scanChecked(number, size) : scanHeaders(ch, number, size);
    if (pos < size) {
      LOG.warn(
          "input archive {}: {} bytes after byte {} are not a valid record{}",
          segmentPath(number),
          size - pos,
          pos,
          last ? "; cut off (never needed by a receipt)" : "; ignored");
      if (last) {
        ch.truncate(pos);
      }
    }
    if (last) {
      current = number;
      currentSize = pos;
    }
  }

  /** Reads every record of a segment, stopping at the first torn or damaged one. */
  private long scanChecked(int number, long size) throws IOException {
    long pos = 0;
    try (InputStream in =
            new BufferedInputStream(Files.newInputStream(segmentPath(number)), 1 << 16);
        DataInputStream data = new DataInputStream(in)) {
      CRC32C crc = new CRC32C();
      byte[] header = new byte[HEADER];
      while (size - pos >= HEADER + 4) {
        data.readFully(header);
        int n = ByteBuffer.wrap(header, 32, 4).getInt();
        if (n < 0 || size - pos - HEADER - 4 < n) {
          break;
        }
        byte[] body = new byte[n];
        data.readFully(body);
        int stored = data.readInt();
        crc.reset();
        crc.update(header);
        crc.update(body);
        if ((int) crc.getValue() != stored) {
          break;
        }
        indexRecord(header, number, pos);
        pos += HEADER + n + 4L;
      }
    } catch (EOFException e) {
      throw new IOException("archive segment " + segmentPath(number) + " shrank while read", e);
    }
    return pos;
  }

  /** Walks a closed segment's record headers, stopping at one whose length cannot be right. */
  private long scanHeaders(FileChannel ch, int number, long size) throws IOException {
    long pos = 0;
    ByteBuffer header = ByteBuffer.allocate(HEADER);
    while (size - pos >= HEADER + 4) {
      header.clear();
      readFully(ch, header, pos);
      int n = header.getInt(32);
      if (n < 0 || size - pos - HEADER - 4 < n) {
        break;
      }
      indexRecord(header.array(), number, pos);
      pos += HEADER + n + 4L;
    }
    return pos;
  }

  private void indexRecord(byte[] header, int number, long pos) {
    synchronized (index) {
      index.put(ByteBuffer.wrap(header, 0, 8).getLong(), at(number, pos));
    }
  }

  /** A record's place: segment number in the high bits, byte offset in the low 40. */
  private static long at(int segment, long offset) {
    return ((long) segment << 40) | offset;
  }

  private static int segmentOf(long where) {
    return (int) (where >>> 40);
  }

  private static long offsetOf(long where) {
    return where & ((1L << 40) - 1);
  }

  /**
   * Archives {@code tensors} under {@code digest} (their {@link TensorEncoding#digest}). The record
   * is buffered; {@link #flush} writes it (the node flushes before each receipt log commit, so an
   * acknowledged receipt's input is on the file system), as does a full buffer or {@link #close}.
   */
  void save(Digest digest, Map<String, Tensor> tensors) throws IOException {
    if (stored(digest)) {
      return;
    }
    byte[] body = TensorEncoding.encodeMap(tensors);
    byte[] header =
        ByteBuffer.allocate(HEADER).put(digest.value().toByteArray()).putInt(body.length).array();
    CRC32C crc = new CRC32C();
    crc.update(header);
    crc.update(body);
    long length = HEADER + body.length + 4L;
    appendLock.lock();
    try {
      if (stored(digest)) {
        return;
      }
      if (currentSize + buffer.position() + length > segmentBytes
          && currentSize + buffer.position() > 0) {
        flushLocked();
        open(current + 1);
        current++;
        currentSize = 0;
      }
      if (buffer.remaining() < length) {
        flushLocked();
      }
      long offset = currentSize + buffer.position();
      if (buffer.remaining() < length) {
        // Larger than the whole buffer: written at once.
        write(
            ByteBuffer.allocate((int) length)
                .put(header)
                .put(body)
                .putInt((int) crc.getValue())
                .flip());
      } else {
        buffer.put(header).put(body).putInt((int) crc.getValue());
        unwritten.put(digest, body);
      }
      synchronized (index) {
        index.put(prefix(digest), at(current, offset));
      }
    } finally {
      appendLock.unlock();
    }
  }

  /** Writes the buffered records (one write); a failure is logged and drops them. */
  void flush() {
    appendLock.lock();
    try {
      flushLocked();
    } catch (IOException e) {
      LOG.error("input archive {}: writing buffered inputs failed; they are not kept", dir, e);
    } finally {
      appendLock.unlock();
    }
  }

  private void flushLocked() throws IOException {
    if (buffer.position() == 0) {
      return;
    }
    buffer.flip();
    try {
      write(buffer);
    } finally {
      // After a failure the index may point at bytes written later by other records: harmless,
      // as every candidate is checked against the digest in its record.
      buffer.clear();
      unwritten.clear();
    }
  }

  /** Under appendLock: appends {@code records} at the end of the current segment. */
  private void write(ByteBuffer records) throws IOException {
    FileChannel ch = segments.get(current);
    long start = currentSize;
    try {
      while (records.hasRemaining()) {
        ch.write(records, currentSize);
        currentSize = start + records.position();
      }
    } catch (IOException e) {
      // Leave no half record for the next append to follow: the reader would stop there.
      currentSize = start;
      ch.truncate(start);
      throw e;
    }
  }

  private static long prefix(Digest d) {
    return ByteBuffer.wrap(d.value().toByteArray(), 0, 8).getLong();
  }

  private long[] candidates(Digest digest) {
    synchronized (index) {
      return index.candidates(prefix(digest));
    }
  }

  /** Whether {@code digest} is archived (buffered or written). */
  private boolean stored(Digest digest) throws IOException {
    if (unwritten.containsKey(digest)) {
      return true;
    }
    for (long where : candidates(digest)) {
      if (headerAt(where, digest) != null) {
        return true;
      }
    }
    return false;
  }

  /** The record header at {@code where} if it is there and names {@code digest}, else null. */
  private ByteBuffer headerAt(long where, Digest digest) throws IOException {
    FileChannel ch = segments.get(segmentOf(where));
    long offset = offsetOf(where);
    if (ch == null || offset + HEADER > ch.size()) {
      return null; // not written (yet, or any more)
    }
    ByteBuffer header = ByteBuffer.allocate(HEADER);
    readFully(ch, header, offset);
    byte[] d = digest.value().toByteArray();
    return java.util.Arrays.equals(header.array(), 0, 32, d, 0, 32) ? header : null;
  }

  /** The tensors archived under {@code digest}, if this node kept them and they are intact. */
  Optional<Map<String, Tensor>> load(Digest digest) throws IOException {
    long[] candidates = candidates(digest);
    if (candidates.length == 0) {
      return loadLegacy(digest);
    }
    // save() buffers before it indexes, flush() forgets the buffer after the write: a record that
    // is indexed but no longer buffered is in the file.
    byte[] buffered = unwritten.get(digest);
    if (buffered != null) {
      return Optional.of(TensorEncoding.decodeMap(buffered));
    }
    for (long where : candidates) {
      ByteBuffer header = headerAt(where, digest);
      if (header != null) {
        return record(where, header, digest);
      }
    }
    return loadLegacy(digest);
  }

  private Optional<Map<String, Tensor>> record(long where, ByteBuffer header, Digest digest)
      throws IOException {
    FileChannel ch = segments.get(segmentOf(where));
    long offset = offsetOf(where);
    int n = header.getInt(32);
    if (n < 0 || offset + HEADER + n + 4 > ch.size()) {
      LOG.warn("input archive: the record of {} is damaged; not served", digest);
      return Optional.empty();
    }
    ByteBuffer rest = ByteBuffer.allocate(n + 4);
    readFully(ch, rest, offset + HEADER);
    CRC32C crc = new CRC32C();
    crc.update(header.array());
    crc.update(rest.array(), 0, n);
    byte[] body = java.util.Arrays.copyOf(rest.array(), n);
    // A damaged record must not end up in a bundle as if it were the input.
    if ((int) crc.getValue() != rest.getInt(n) || !Digest.of(body).equals(digest)) {
      LOG.warn("input archive: the record of {} is damaged; not served", digest);
      return Optional.empty();
    }
    return Optional.of(TensorEncoding.decodeMap(body));
  }

  private static void readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
    while (b.hasRemaining()) {
      if (ch.read(b, pos + b.position()) < 0) {
        throw new EOFException("input archive record at " + pos + " ends early");
      }
    }
  }

  /** Maps archived by earlier versions, one JSON file each. */
  private Optional<Map<String, Tensor>> loadLegacy(Digest digest) throws IOException {
    Path f = dir.resolve(digest.hex() + ".json");
    if (!Files.exists(f)) {
      return Optional.empty();
    }
    JsonNode n = Json.MAPPER.readTree(Files.readAllBytes(f));
    Map<String, Tensor> t = TensorJson.parseMap(n, "archived input", Long.MAX_VALUE);
    if (!TensorEncoding.digest(t).equals(digest)) {
      return Optional.empty();
    }
    return Optional.of(t);
  }

  @Override
  public void close() throws IOException {
    IOException first = null;
    appendLock.lock();
    try {
      flushLocked();
    } catch (IOException e) {
      first = e;
    } finally {
      appendLock.unlock();
    }
    for (FileChannel ch : segments.values()) {
      try {
        ch.close();
      } catch (IOException e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
