package dev.verity.node.inference;

import dev.verity.core.Digest;
import dev.verity.engine.LoadedModel;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Loaded models by (manifest digest, engine id), least recently used evicted beyond a fixed count.
 * A model is loaded once even when many requests ask for it at the same time, and an evicted model
 * is closed only after the last request using it has finished.
 */
final class ModelCache implements AutoCloseable {
  record Key(Digest manifest, String engine) {}

  @FunctionalInterface
  interface Loader {
    LoadedModel load() throws Exception;
  }

  private static final class Entry {
    final CompletableFuture<LoadedModel> model = new CompletableFuture<>();
    int leases;
    boolean evicted;
  }

  /** A model in use; closing it releases it. */
  final class Lease implements AutoCloseable {
    private final Entry entry;
    private final LoadedModel model;
    private boolean released;

    private Lease(Entry entry, LoadedModel model) {
      this.entry = entry;
      this.model = model;
    }

    LoadedModel model() {
      return model;
    }

    @Override
    public void close() {
      synchronized (ModelCache.this) {
        if (released) {
          return;
        }
        released = true;
        entry.leases--;
        if (entry.evicted && entry.leases == 0) {
          model.close();
        }
      }
    }
  }

  private final int capacity;
  private final LinkedHashMap<Key, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
  private boolean closed;

  ModelCache(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("model cache capacity must be at least 1");
    }
    this.capacity = capacity;
  }

  /** The cached model, loading it with {@code loader} if absent; close the lease when done. */
  Lease acquire(Key key, Loader loader) throws Exception {
    Entry e;
    boolean mine = false;
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("the node is shutting down");
      }
      e = entries.get(key);
      if (e == null) {
        e = new Entry();
        entries.put(key, e);
        mine = true;
        evictBeyondCapacity();
      }
      e.leases++;
    }
    if (mine) {
      try {
        e.model.complete(loader.load());
      } catch (Exception | Error ex) {
        e.model.completeExceptionally(ex);
        synchronized (this) {
          entries.remove(key, e);
        }
      }
    }
    LoadedModel m;
    try {
      m = e.model.join();
    } catch (CompletionException ex) {
      synchronized (this) {
        e.leases--;
      }
      if (ex.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw ex;
    }
    return new Lease(e, m);
  }

  synchronized int size() {
    return entries.size();
  }

  private void evictBeyondCapacity() {
    Iterator<Map.Entry<Key, Entry>> it = entries.entrySet().iterator();
    while (entries.size() > capacity && it.hasNext()) {
      Entry old = it.next().getValue();
      if (!old.model.isDone()) {
        continue;
      }
      it.remove();
      old.evicted = true;
      if (old.leases == 0 && !old.model.isCompletedExceptionally()) {
        old.model.join().close();
      }
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    for (Entry e : entries.values()) {
      e.evicted = true;
      if (e.leases == 0 && e.model.isDone() && !e.model.isCompletedExceptionally()) {
        e.model.join().close();
      }
    }
    entries.clear();
  }
}
