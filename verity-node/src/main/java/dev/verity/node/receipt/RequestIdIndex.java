package dev.verity.node.receipt;

import dev.verity.core.Digest;
import dev.verity.node.index.LongMultiMap;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The request ids of a node's log, so a reused id is refused and a receipt found by its id, in
 * 27–53 bytes of heap per receipt instead of a map of strings (about 140): a keyed 64-bit hash of
 * each durable id maps to its log index, and every candidate is confirmed against the id in the log
 * entry. The key is random per start, so clients cannot choose ids that collide. Ids of receipts
 * still being signed are held as strings until they are durable.
 */
final class RequestIdIndex {
  /** The request id of the log entry at an index. */
  interface Entries {
    String requestIdAt(long index) throws IOException;
  }

  private final Entries entries;
  private final byte[] key = new byte[16];
  // Ids being signed, with their hash: computed once per request, on reserve.
  private final Map<String, Long> pending = new ConcurrentHashMap<>();
  private final LongMultiMap durable = new LongMultiMap(); // guarded by itself

  RequestIdIndex(Entries entries) {
    this.entries = entries;
    new SecureRandom().nextBytes(key);
  }

  private long hash(String id) {
    MessageDigest md = Digest.newSha256();
    md.update(key);
    md.update(id.getBytes(StandardCharsets.UTF_8));
    return ByteBuffer.wrap(md.digest()).getLong();
  }

  /**
   * Claims {@code id} for a new receipt.
   *
   * @return false if it is in the log or being signed already
   */
  boolean reserve(String id) throws IOException {
    long h = hash(id);
    if (pending.putIfAbsent(id, h) != null) {
      return false;
    }
    try {
      if (durableIndex(id, h).isPresent()) {
        pending.remove(id);
        return false;
      }
    } catch (IOException | RuntimeException e) {
      pending.remove(id);
      throw e;
    }
    return true;
  }

  /** Gives up a claim whose receipt was never logged. */
  void release(String id) {
    pending.remove(id);
  }

  /** The claimed {@code id}'s receipt is durable at {@code index}. */
  void durable(String id, long index) {
    Long h = pending.get(id);
    put(h != null ? h : hash(id), index);
    // Only now: between the two the id is in both, never in neither.
    pending.remove(id);
  }

  /** Indexes an id read back from the log on start. */
  void recovered(String id, long index) {
    put(hash(id), index);
  }

  private void put(long hash, long index) {
    synchronized (durable) {
      durable.put(hash, index);
    }
  }

  /** The log index of the durable receipt with {@code id}. */
  Optional<Long> durableIndex(String id) throws IOException {
    return durableIndex(id, hash(id));
  }

  private Optional<Long> durableIndex(String id, long h) throws IOException {
    // Candidates are read from the log outside the lock: take them first.
    long[] candidates;
    synchronized (durable) {
      candidates = durable.candidates(h);
    }
    for (long i : candidates) {
      if (id.equals(entries.requestIdAt(i))) {
        return Optional.of(i);
      }
    }
    return Optional.empty();
  }
}
