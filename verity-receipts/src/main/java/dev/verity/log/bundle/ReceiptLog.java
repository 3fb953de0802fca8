package dev.verity.log.bundle;

import dev.verity.core.Bytes;
import dev.verity.log.Appended;
import dev.verity.log.InclusionProof;
import dev.verity.log.TransparencyLog;
import dev.verity.log.note.NoteVerificationException;
import dev.verity.log.note.SignedCheckpoint;
import dev.verity.receipt.ReceiptCodec;
import dev.verity.receipt.ReceiptFormatException;
import dev.verity.receipt.SignedReceipt;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A node's receipt log: appends each signed receipt's canonical encoding to its {@link
 * TransparencyLog} and hands back the {@link ReceiptBundle} (receipt, log index, inclusion proof,
 * signed checkpoint) once the receipt is durable.
 */
public final class ReceiptLog implements AutoCloseable {
  private final TransparencyLog log;
  private volatile SignedCheckpoint cosigned;

  public ReceiptLog(TransparencyLog log) {
    this.log = log;
  }

  /**
   * Records a checkpoint of this log that witnesses have cosigned (the note with their lines);
   * later {@link #bundle(long)} calls prove against it when it covers the entry. It must carry this
   * log's signature and match the log's own root at that size.
   */
  public void recordCosigned(String checkpointNote) throws NoteVerificationException {
    SignedCheckpoint c = SignedCheckpoint.verify(checkpointNote, log.signerKey());
    if (c.checkpoint().size() > log.size()
        || !log.rootHash(c.checkpoint().size()).equals(c.checkpoint().rootHash())) {
      throw new NoteVerificationException(
          "cosigned checkpoint of size " + c.checkpoint().size() + " does not match this log");
    }
    SignedCheckpoint current = cosigned;
    if (current == null || c.checkpoint().size() >= current.checkpoint().size()) {
      cosigned = c;
    }
  }

  public static ReceiptLog open(Path dir, TransparencyLog.Options options) throws IOException {
    return new ReceiptLog(TransparencyLog.open(dir, options));
  }

  /** Appends and waits until the receipt is fsync'd; then returns its bundle. */
  public ReceiptBundle append(SignedReceipt receipt) throws IOException {
    try {
      return appendAsync(receipt).join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      if (e.getCause() instanceof UncheckedIOException u) {
        throw u.getCause();
      }
      throw e;
    }
  }

  /**
   * Completes with the bundle once the receipt is durable. The bundle is built on the log's commit
   * thread as it completes the entry: the proof reads about log2(size) stored hashes (the right
   * edge is hashed once per tree size) and the batch shares one checkpoint note, which costs less
   * than waking another thread for every receipt.
   */
  public CompletableFuture<ReceiptBundle> appendAsync(SignedReceipt receipt) {
    byte[] entry = receipt.canonicalBytes().toByteArray();
    return log.append(entry).thenApply(a -> bundle(receipt, a));
  }

  private ReceiptBundle bundle(SignedReceipt receipt, Appended a) {
    EncodedCheckpoint cp = encoded(log.checkpoint());
    InclusionProof proof = log.inclusionProof(a.index(), cp.checkpoint().checkpoint().size());
    return new ReceiptBundle(receipt, proof, cp.note());
  }

  /** A checkpoint with its note text, encoded once for all the receipts proven against it. */
  private record EncodedCheckpoint(SignedCheckpoint checkpoint, String note) {}

  private volatile EncodedCheckpoint lastEncoded;

  private EncodedCheckpoint encoded(SignedCheckpoint cp) {
    EncodedCheckpoint e = lastEncoded;
    if (e == null || e.checkpoint() != cp) {
      e = new EncodedCheckpoint(cp, cp.encode());
      lastEncoded = e;
    }
    return e;
  }

  /**
   * The bundle for an earlier receipt: proven against the latest witnessed checkpoint if it covers
   * the entry, else against the current checkpoint.
   */
  public ReceiptBundle bundle(long index) throws IOException {
    SignedReceipt r;
    try {
      r = ReceiptCodec.decode(Bytes.copyOf(log.entry(index)));
    } catch (ReceiptFormatException e) {
      throw new ReceiptFormatException(
          "log entry " + index + " is not a receipt: " + e.getMessage(), e);
    }
    SignedCheckpoint w = cosigned;
    SignedCheckpoint cp = w != null && w.checkpoint().size() > index ? w : log.checkpoint();
    return new ReceiptBundle(r, log.inclusionProof(index, cp.checkpoint().size()), cp.encode());
  }

  public TransparencyLog log() {
    return log;
  }

  /**
   * The checkpoint to publish: the latest witnessed one if it is as recent as the log's own,
   * otherwise the log's own (witnesses lag by at most one round).
   */
  public String latestCheckpoint() {
    SignedCheckpoint own = log.checkpoint();
    SignedCheckpoint w = cosigned;
    return w != null && w.checkpoint().size() >= own.checkpoint().size()
        ? w.encode()
        : own.encode();
  }

  /** The tlog-tiles view of this log, publishing {@link #latestCheckpoint()}. */
  public dev.verity.log.tile.TileReader tiles() {
    return new dev.verity.log.tile.TileReader(log, this::latestCheckpoint);
  }

  @Override
  public void close() throws IOException {
    log.close();
  }
}
