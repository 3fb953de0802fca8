package dev.verity.node.openai;

import dev.verity.core.Digest;
import dev.verity.engine.ModelLoadException;
import dev.verity.hub.manifest.ManifestFile;
import dev.verity.hub.manifest.ModelFormat;
import dev.verity.hub.manifest.ModelManifest;
import dev.verity.hub.manifest.SignedManifest;
import dev.verity.hub.store.BlobNotFoundException;
import dev.verity.hub.store.ModelStore;
import dev.verity.llm.LlamaModel;
import dev.verity.llm.LlmOptions;
import dev.verity.node.http.ProblemException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Language models from the node's store, loaded on first use and kept in a small LRU cache keyed by
 * manifest digest. Loading copies each file out of the blob store through the store's verifying
 * stream, so the bytes the engine reads are exactly the bytes whose digest the manifest signs; a
 * corrupt blob fails the load instead of being run.
 */
final class LlmModels implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LlmModels.class);

  /** A loaded model and how the API names it. */
  record Loaded(Digest manifest, String id, LlamaModel model) {}

  private final ModelStore store;
  private final LlmOptions options;
  private final int capacity;
  private final Path scratch;
  private final Map<Digest, Entry> cache = new LinkedHashMap<>(16, 0.75f, true);
  private boolean closed;

  /** A cache slot: the (possibly still loading) model, and how many requests use it. */
  private static final class Entry {
    final CompletableFuture<Loaded> future = new CompletableFuture<>();
    int users;
    boolean evicted;
  }

  /** A model held for one request; closing it lets the cache unload the model once evicted. */
  final class Lease implements AutoCloseable {
    private final Entry entry;
    private final Loaded loaded;
    private boolean released;

    private Lease(Entry entry, Loaded loaded) {
      this.entry = entry;
      this.loaded = loaded;
    }

    Loaded get() {
      return loaded;
    }

    @Override
    public void close() {
      synchronized (LlmModels.this) {
        if (released) {
          return;
        }
        released = true;
        entry.users--;
        if (entry.evicted && entry.users == 0) {
          loaded.model().close();
        }
      }
    }
  }

  LlmModels(ModelStore store, LlmOptions options, int capacity, Path scratch) {
    if (capacity < 1) {
      throw new IllegalArgumentException("the model cache must hold at least one model");
    }
    this.store = store;
    this.options = options;
    this.capacity = capacity;
    this.scratch = scratch;
    // Copies left by a load that was killed midway are never reused: remove them.
    if (Files.isDirectory(scratch)) {
      deleteTree(scratch);
    }
  }

  /**
   * Finds the manifest a request names: {@code sha256:<hex>}, {@code name@version}, or a name (its
   * newest version).
   */
  SignedManifest resolve(String model) {
    Optional<SignedManifest> found;
    if (model.startsWith(Digest.PREFIX)) {
      Digest d;
      try {
        d = Digest.parse(model);
      } catch (RuntimeException e) {
        throw OpenAiError.invalid("model", "model '" + model + "' is not a valid digest");
      }
      found = store.get(d);
    } else {
      int at = model.lastIndexOf('@');
      try {
        found =
            at < 0
                ? store.latest(model)
                : store.find(model.substring(0, at), model.substring(at + 1));
      } catch (IllegalArgumentException e) {
        throw OpenAiError.invalid(
            "model",
            "model '" + model + "' is not a name, name@version or digest: " + e.getMessage());
      }
    }
    return found.orElseThrow(
        () ->
            OpenAiError.modelNotFound(
                model, "the model '" + model + "' does not exist on this node"));
  }

  /** The loaded model for {@code model}; close the lease when the request is done. */
  Lease acquire(String model) throws IOException, ModelLoadException {
    SignedManifest signed = resolve(model);
    ModelManifest m = signed.manifest();
    if (m.format() != ModelFormat.LLAMA2C && m.format() != ModelFormat.GGUF) {
      throw OpenAiError.invalid(
          "model",
          "model '"
              + m.name()
              + "@"
              + m.version()
              + "' is not a language model (format "
              + m.format().id()
              + "); use the inference API for it");
    }
    Digest digest = signed.digest();
    Entry entry;
    boolean load;
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("the model cache is closed");
      }
      entry = cache.get(digest);
      load = entry == null;
      if (load) {
        entry = new Entry();
        cache.put(digest, entry);
        evictBeyondCapacity();
      }
      entry.users++;
    }
    if (load) {
      try {
        entry.future.complete(load(signed));
      } catch (IOException | ModelLoadException | RuntimeException e) {
        entry.future.completeExceptionally(e);
        synchronized (this) {
          cache.remove(digest, entry);
        }
      }
    }
    try {
      return new Lease(entry, entry.future.get());
    } catch (InterruptedException e) {
      release(entry);
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while loading " + model);
    } catch (ExecutionException e) {
      release(entry);
      switch (e.getCause()) {
        case IOException io -> throw io;
        case ModelLoadException ml -> throw ml;
        case RuntimeException re -> throw re;
        default -> throw new IllegalStateException(e.getCause());
      }
    }
  }

  private synchronized void release(Entry entry) {
    entry.users--;
  }

  private void evictBeyondCapacity() {
    var it = cache.entrySet().iterator();
    while (cache.size() > capacity && it.hasNext()) {
      Map.Entry<Digest, Entry> oldest = it.next();
      Entry e = oldest.getValue();
      if (!e.future.isDone()) {
        continue;
      }
      it.remove();
      e.evicted = true;
      if (e.users == 0 && !e.future.isCompletedExceptionally()) {
        e.future.join().model().close();
      }
    }
  }

  /** Manifest digests of the models currently loaded, least recently used first. */
  synchronized List<Digest> loaded() {
    return new ArrayList<>(cache.keySet());
  }

  private Loaded load(SignedManifest signed) throws IOException, ModelLoadException {
    ModelManifest m = signed.manifest();
    String id = m.name() + "@" + m.version();
    long start = System.nanoTime();
    Files.createDirectories(scratch);
    Path dir = Files.createTempDirectory(scratch, "load-");
    try {
      LlamaModel model =
          switch (m.format()) {
            case GGUF -> {
              ManifestFile f = single(m, ".gguf");
              yield LlamaModel.loadGguf(copyOut(f, dir), options);
            }
            case LLAMA2C -> loadLlama2c(m, dir);
            default -> throw new IllegalStateException("not a language model format");
          };
      log.info(
          "loaded {} ({}) in {} ms", id, signed.digest(), (System.nanoTime() - start) / 1_000_000);
      return new Loaded(signed.digest(), id, model);
    } finally {
      deleteTree(dir);
    }
  }

  /**
   * A llama2.c model has two {@code .bin} files, the checkpoint and the tokenizer. A file whose
   * name starts with "tok" is tried as the tokenizer first; the loader's exact size and vocabulary
   * checks reject the wrong pairing.
   */
  private LlamaModel loadLlama2c(ModelManifest m, Path dir) throws IOException, ModelLoadException {
    List<ManifestFile> bins =
        m.files().stream()
            .filter(f -> f.path().toLowerCase(Locale.ROOT).endsWith(".bin"))
            .sorted(Comparator.comparing(f -> tokenizerRank(f.path())))
            .toList();
    if (bins.size() != 2) {
      throw new ModelLoadException(
          "a llama2c model needs exactly two .bin files (checkpoint and tokenizer), model "
              + m.name()
              + "@"
              + m.version()
              + " has "
              + bins.size());
    }
    Path tok = copyOut(bins.get(0), dir);
    Path ckpt = copyOut(bins.get(1), dir);
    try {
      return LlamaModel.load(ckpt, tok, options);
    } catch (ModelLoadException first) {
      try {
        return LlamaModel.load(tok, ckpt, options);
      } catch (ModelLoadException second) {
        first.addSuppressed(second);
        throw first;
      }
    }
  }

  private static int tokenizerRank(String path) {
    String name = path.substring(path.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
    return name.startsWith("tok") ? 0 : 1;
  }

  private static ManifestFile single(ModelManifest m, String suffix) throws ModelLoadException {
    List<ManifestFile> files =
        m.files().stream().filter(f -> f.path().toLowerCase(Locale.ROOT).endsWith(suffix)).toList();
    if (files.size() != 1) {
      throw new ModelLoadException(
          "model "
              + m.name()
              + "@"
              + m.version()
              + " must have exactly one "
              + suffix
              + " file, it has "
              + files.size());
    }
    return files.getFirst();
  }

  /** Copies a blob out of the store, verified against its digest while reading. */
  private Path copyOut(ManifestFile f, Path dir) throws IOException, ModelLoadException {
    Path target = dir.resolve(f.digest().toString().substring(Digest.PREFIX.length()));
    try (InputStream in = store.blobs().open(f.digest());
        OutputStream out =
            Files.newOutputStream(
                target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      // The verifying stream throws at end of stream if the bytes do not match the digest.
      in.transferTo(out);
    } catch (BlobNotFoundException e) {
      throw new ModelLoadException(
          "file '" + f.path() + "' (blob " + f.digest() + ") is missing from the store", e);
    }
    return target;
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      log.warn("could not remove scratch directory {}: {}", root, e.toString());
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    for (Entry e : cache.values()) {
      e.evicted = true;
      if (e.users == 0 && e.future.isDone() && !e.future.isCompletedExceptionally()) {
        e.future.join().model().close();
      }
    }
    cache.clear();
  }

  static ProblemException notLoaded(String model, Exception e) {
    return OpenAiError.of(
        422,
        "model-load-failed",
        "Model cannot be loaded",
        "model '" + model + "' cannot be loaded: " + e.getMessage(),
        "invalid_request_error",
        "model",
        "model_load_failed");
  }
}
