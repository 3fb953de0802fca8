package dev.verity.hub.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.verity.core.Digest;
import dev.verity.core.FormatException;
import dev.verity.core.SignatureVerificationException;
import dev.verity.core.VerityException;
import dev.verity.core.json.CanonicalJson;
import dev.verity.core.json.JsonObject;
import dev.verity.hub.manifest.ManifestFile;
import dev.verity.hub.manifest.ModelManifest;
import dev.verity.hub.manifest.ModelVerificationException;
import dev.verity.hub.manifest.SignedManifest;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Published models: signed manifests over a {@link BlobStore}.
 *
 * <p>Layout under the root: {@code blobs/sha256/<hex>} (file contents), {@code
 * manifests/<hex>.json} (envelope JSON of the manifest whose digest is {@code sha256:<hex>}), and
 * {@code index.json} (name, version, digest, publish order and time of each published version,
 * written atomically). The index is derivable: on start-up, manifests missing from it are added and
 * entries without a manifest are dropped, so a crash between the two writes loses nothing.
 *
 * <p>Versions are immutable: a name and version maps to one manifest digest forever.
 */
public final class ModelStore {
  private static final Logger log = LoggerFactory.getLogger(ModelStore.class);
  private static final String INDEX_FORMAT = "verity-model-index-v1";
  private static final int MAX_LINEAGE = 10_000;

  private final BlobStore blobs;
  private final Path manifestDir;
  private final Path indexPath;
  private final Map<Digest, SignedManifest> manifests = new HashMap<>();
  private final List<Entry> entries = new ArrayList<>();

  private record Entry(String name, String version, Digest digest, long seq, Instant publishedAt) {}

  /** Opens (creating as needed) the store under {@code root}. */
  public ModelStore(Path root, StoreLimits limits) throws IOException {
    this(new BlobStore(root, limits));
  }

  /** A model store sharing {@code blobs}' root directory. */
  public ModelStore(BlobStore blobs) throws IOException {
    this.blobs = blobs;
    this.manifestDir = blobs.root().resolve("manifests");
    this.indexPath = blobs.root().resolve("index.json");
    Files.createDirectories(manifestDir);
    load();
  }

  public BlobStore blobs() {
    return blobs;
  }

  /**
   * Publishes a signed manifest: checks its signature by its publisher, that every file blob is
   * stored with the declared size, and that its name and version are not taken by another manifest.
   *
   * @throws SignatureVerificationException if unsigned or not validly signed by its publisher
   * @throws MissingBlobsException listing the file blobs not uploaded yet
   * @throws VersionConflictException naming both digests if the version exists with another one
   * @throws SizeLimitExceededException if the envelope exceeds the manifest size limit
   * @throws ModelVerificationException if a stored blob's size differs from the manifest's
   */
  public synchronized PublishOutcome publish(SignedManifest signed)
      throws IOException, VerityException {
    byte[] json = signed.toJson();
    if (json.length > blobs.limits().maxManifestBytes()) {
      throw new SizeLimitExceededException(
          "manifest " + signed.digest(), json.length, blobs.limits().maxManifestBytes());
    }
    signed.verify();
    ModelManifest m = signed.manifest();
    Optional<Entry> existing = entry(m.name(), m.version());
    if (existing.isPresent()) {
      if (existing.get().digest().equals(signed.digest())) {
        return new PublishOutcome.AlreadyPublished(summary(existing.get()));
      }
      throw new VersionConflictException(
          m.name(), m.version(), existing.get().digest(), signed.digest());
    }
    List<Digest> missing = missingBlobs(m);
    if (!missing.isEmpty()) {
      throw new MissingBlobsException(signed.digest(), missing);
    }
    for (ManifestFile f : m.files()) {
      long size = blobs.size(f.digest());
      if (size != f.size()) {
        throw new ModelVerificationException(
            f.path(),
            "file '"
                + f.path()
                + "': manifest says "
                + f.size()
                + " bytes but blob "
                + f.digest()
                + " has "
                + size);
      }
    }
    blobs.writeSmallAtomically(manifestPath(signed.digest()), json);
    long seq = entries.stream().mapToLong(Entry::seq).max().orElse(0) + 1;
    Entry e = new Entry(m.name(), m.version(), signed.digest(), seq, Instant.now());
    manifests.put(signed.digest(), signed);
    entries.add(e);
    writeIndex();
    log.info("published {} {} as {}", m.name(), m.version(), signed.digest());
    return new PublishOutcome.Published(summary(e));
  }

  /** The distinct file blobs of {@code manifest} not yet in the blob store, in path order. */
  public List<Digest> missingBlobs(ModelManifest manifest) {
    List<Digest> out = new ArrayList<>();
    Set<Digest> seen = new HashSet<>();
    for (ManifestFile f : manifest.files()) {
      if (seen.add(f.digest()) && !blobs.has(f.digest())) {
        out.add(f.digest());
      }
    }
    return out;
  }

  /** Every published version, sorted by name, then publish order. */
  public synchronized List<ModelSummary> list() {
    List<Entry> sorted = new ArrayList<>(entries);
    sorted.sort(Comparator.comparing(Entry::name).thenComparingLong(Entry::seq));
    return sorted.stream().map(this::summary).toList();
  }

  /** Published versions whose name contains {@code query}, ignoring case; all for "". */
  public synchronized List<ModelSummary> search(String query) {
    String q = query.toLowerCase(Locale.ROOT);
    return list().stream().filter(s -> s.name().contains(q)).toList();
  }

  /** All versions of {@code name}, in publish order. */
  public synchronized List<ModelSummary> versions(String name) {
    return list().stream().filter(s -> s.name().equals(name)).toList();
  }

  public synchronized Optional<SignedManifest> find(String name, String version) {
    return entry(name, version).map(e -> manifests.get(e.digest()));
  }

  /** The most recently published version of {@code name}. */
  public synchronized Optional<SignedManifest> latest(String name) {
    return entries.stream()
        .filter(e -> e.name().equals(name))
        .max(Comparator.comparingLong(Entry::seq))
        .map(e -> manifests.get(e.digest()));
  }

  public synchronized Optional<SignedManifest> get(Digest digest) {
    return Optional.ofNullable(manifests.get(digest));
  }

  /** The summary of a published manifest. */
  public synchronized Optional<ModelSummary> summary(Digest digest) {
    return entries.stream().filter(e -> e.digest().equals(digest)).findFirst().map(this::summary);
  }

  /**
   * The manifest and its ancestors, following {@code parent} digests.
   *
   * @throws ManifestNotFoundException if {@code digest} is not published here
   * @throws LineageException if the chain has a cycle or exceeds {@value #MAX_LINEAGE} manifests
   */
  public synchronized Lineage lineage(Digest digest)
      throws ManifestNotFoundException, LineageException {
    SignedManifest current = manifests.get(digest);
    if (current == null) {
      throw new ManifestNotFoundException("manifest " + digest + " is not published here");
    }
    List<SignedManifest> chain = new ArrayList<>();
    Set<Digest> seen = new HashSet<>();
    while (true) {
      if (!seen.add(current.digest())) {
        throw new LineageException("lineage of " + digest + " has a cycle at " + current.digest());
      }
      if (chain.size() >= MAX_LINEAGE) {
        throw new LineageException(
            "lineage of " + digest + " is longer than " + MAX_LINEAGE + " manifests");
      }
      chain.add(current);
      Optional<Digest> parent = current.manifest().parentDigest();
      if (parent.isEmpty()) {
        return new Lineage.Complete(chain);
      }
      SignedManifest next = manifests.get(parent.get());
      if (next == null) {
        return new Lineage.Broken(chain, parent.get());
      }
      current = next;
    }
  }

  /**
   * Re-checks a published model: its manifest signature, and every file blob's presence, size and
   * digest (re-hashed from disk).
   *
   * @throws ModelVerificationException naming the first bad file, expected versus actual
   */
  public void verifyModel(Digest digest) throws IOException, VerityException {
    SignedManifest signed =
        get(digest)
            .orElseThrow(
                () ->
                    new ManifestNotFoundException("manifest " + digest + " is not published here"));
    signed.verify();
    for (ManifestFile f : signed.manifest().files()) {
      if (!blobs.has(f.digest())) {
        throw new ModelVerificationException(
            f.path(), "file '" + f.path() + "': blob " + f.digest() + " is missing from the store");
      }
      long size = blobs.size(f.digest());
      if (size != f.size()) {
        throw new ModelVerificationException(
            f.path(),
            "file '"
                + f.path()
                + "': blob "
                + f.digest()
                + " has "
                + size
                + " bytes, manifest says "
                + f.size());
      }
      try {
        blobs.verify(f.digest());
      } catch (CorruptBlobException e) {
        throw new ModelVerificationException(
            f.path(),
            "file '"
                + f.path()
                + "' is corrupt in the store: expected "
                + e.expected()
                + ", actual "
                + e.actual(),
            e);
      }
    }
  }

  // --- persistence ---

  private Path manifestPath(Digest d) {
    return manifestDir.resolve(d.hex() + ".json");
  }

  private Optional<Entry> entry(String name, String version) {
    return entries.stream()
        .filter(e -> e.name().equals(name) && e.version().equals(version))
        .findFirst();
  }

  private ModelSummary summary(Entry e) {
    return ModelSummary.of(manifests.get(e.digest()), e.publishedAt());
  }

  private void load() throws IOException {
    Map<Digest, SignedManifest> onDisk = new HashMap<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(manifestDir, "*.json")) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        try {
          Digest d = Digest.parse(Digest.PREFIX + name.substring(0, name.length() - 5));
          SignedManifest sm = SignedManifest.parse(Files.readAllBytes(p));
          if (!sm.digest().equals(d)) {
            log.error("ignoring manifest file {}: its content has digest {}", p, sm.digest());
            continue;
          }
          sm.verify();
          onDisk.put(d, sm);
        } catch (IllegalArgumentException | FormatException | SignatureVerificationException e) {
          log.error("ignoring invalid manifest file {}: {}", p, e.getMessage());
        }
      }
    }
    List<Entry> indexed = new ArrayList<>();
    if (Files.exists(indexPath)) {
      try {
        indexed = readIndex();
      } catch (FormatException e) {
        log.error(
            "index {} is unreadable ({}); rebuilding it from manifests", indexPath, e.getMessage());
      }
    }
    Set<String> versions = new HashSet<>();
    for (Entry e : indexed) {
      if (!onDisk.containsKey(e.digest())) {
        log.warn(
            "index entry {} {} has no manifest {}; dropping it", e.name(), e.version(), e.digest());
        continue;
      }
      if (versions.add(e.name() + "\0" + e.version())) {
        entries.add(e);
      }
    }
    Set<Digest> known = new HashSet<>();
    entries.forEach(e -> known.add(e.digest()));
    List<SignedManifest> unindexed =
        onDisk.values().stream()
            .filter(sm -> !known.contains(sm.digest()))
            .sorted(
                Comparator.comparing((SignedManifest sm) -> sm.manifest().createdAt())
                    .thenComparing(SignedManifest::digest))
            .toList();
    long seq = entries.stream().mapToLong(Entry::seq).max().orElse(0);
    boolean changed = entries.size() != indexed.size();
    for (SignedManifest sm : unindexed) {
      ModelManifest m = sm.manifest();
      if (!versions.add(m.name() + "\0" + m.version())) {
        log.error(
            "manifest {} conflicts with published {} {}; ignoring it",
            sm.digest(),
            m.name(),
            m.version());
        continue;
      }
      Instant published = Files.getLastModifiedTime(manifestPath(sm.digest())).toInstant();
      entries.add(new Entry(m.name(), m.version(), sm.digest(), ++seq, published));
      changed = true;
    }
    for (Entry e : entries) {
      manifests.put(e.digest(), onDisk.get(e.digest()));
    }
    if (changed || !Files.exists(indexPath)) {
      writeIndex();
    }
  }

  private List<Entry> readIndex() throws IOException, FormatException {
    JsonNode root = CanonicalJson.parse(Files.readAllBytes(indexPath), "model index");
    JsonObject o = JsonObject.of(root, "index").allowOnly(Set.of("format", "entries"));
    if (!INDEX_FORMAT.equals(o.requireString("format"))) {
      throw new FormatException("index.format is not " + INDEX_FORMAT);
    }
    List<Entry> out = new ArrayList<>();
    List<JsonNode> nodes = o.requireArray("entries");
    for (int i = 0; i < nodes.size(); i++) {
      JsonObject e = JsonObject.of(nodes.get(i), "index.entries[" + i + "]");
      try {
        out.add(
            new Entry(
                e.requireString("name"),
                e.requireString("version"),
                Digest.parse(e.requireString("digest")),
                e.requireLong("seq"),
                Instant.parse(e.requireString("publishedAt"))));
      } catch (IllegalArgumentException | DateTimeParseException ex) {
        throw new FormatException(e.path() + ": " + ex.getMessage(), ex);
      }
    }
    return out;
  }

  private void writeIndex() throws IOException {
    ObjectNode root = CanonicalJson.object();
    root.put("format", INDEX_FORMAT);
    ArrayNode arr = root.putArray("entries");
    for (Entry e : entries) {
      ObjectNode o = arr.addObject();
      o.put("name", e.name());
      o.put("version", e.version());
      o.put("digest", e.digest().toString());
      o.put("seq", e.seq());
      o.put("publishedAt", e.publishedAt().toString());
    }
    blobs.writeSmallAtomically(indexPath, CanonicalJson.encode(root).toByteArray());
  }
}
