package dev.verity.node.receipt;

import dev.verity.core.Bytes;
import dev.verity.log.ConsistencyProof;
import dev.verity.log.InclusionProof;
import dev.verity.log.TransparencyLog;
import dev.verity.log.bundle.ReceiptBundle;
import dev.verity.log.bundle.ReceiptLog;
import dev.verity.log.fs.AtomicFiles;
import dev.verity.log.note.Checkpoint;
import dev.verity.log.note.Note;
import dev.verity.log.note.NoteSignature;
import dev.verity.log.note.NoteSigner;
import dev.verity.log.note.NoteVerificationException;
import dev.verity.log.note.SignedCheckpoint;
import dev.verity.log.note.VerifierKey;
import dev.verity.log.witness.CosignatureV1;
import dev.verity.node.http.Problem;
import dev.verity.node.http.ProblemException;
import dev.verity.receipt.BatchProof;
import dev.verity.receipt.DigestedReceipt;
import dev.verity.receipt.Receipt;
import dev.verity.receipt.ReceiptCodec;
import dev.verity.receipt.ReceiptDomain;
import dev.verity.receipt.ReceiptKey;
import dev.verity.receipt.SignedReceipt;
import dev.verity.receipt.eth.EthAddress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signs receipts with the node's secp256k1 key and makes them durable in the node's transparency
 * log before handing them out. Every feature that answers an inference (tensor API, chat API) goes
 * through {@link #issue}: it returns only after the receipt's log entry is fsync'd (group commit),
 * with the inclusion proof and a signed checkpoint.
 *
 * <p>One signer thread signs the receipts of concurrent requests in batches: everything waiting
 * when it looks gets one signature over the batch root (format 2, docs/RECEIPTS.md), a lone receipt
 * a direct one (format 1). While the log fsyncs one batch the signer already signs the next, so
 * under load a request pays a fraction of a signature. Requests announced with {@link #expect()}
 * let a batch fill for up to {@link #DEFAULT_BATCH_LINGER} while they are still running, which
 * under load makes batches several times larger for a bounded wait.
 *
 * <p>On disk, under the node's data directory: {@code keys/receipt.key} (secp256k1, mode 0600),
 * {@code keys/log.key} (Ed25519 note key named after the log origin, mode 0600), {@code log/} (the
 * transparency log) and {@code log-cosigned/<size>.note} (checkpoints with collected witness
 * cosignatures). Request ids are unique per log; the index from request id to log index ({@link
 * RequestIdIndex}, 27–53 bytes per receipt) is rebuilt from the log on start, so it never disagrees
 * with what is durable.
 */
public final class ReceiptIssuer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ReceiptIssuer.class);

  /**
   * The longest the first receipt of a batch waits for others to join it, and only while requests
   * announced with {@link #expect()} are still on their way: a batch's two signatures and fsync
   * cost about as much CPU as 150 µs of inference, so under load a fuller batch is cheaper per
   * receipt, and a lone request never waits.
   */
  public static final Duration DEFAULT_BATCH_LINGER = Duration.ofMillis(2);

  /** A batch this full stops lingering: its fixed cost is then below a microsecond per receipt. */
  static final int LINGER_TARGET = 256;

  /** Log origins are {@code verity.node/<receipt address in lower case>}. */
  public static final String ORIGIN_PREFIX = "verity.node/";

  /** Collected cosignatures kept per checkpoint, and how many cosigned checkpoints are kept. */
  static final int MAX_COSIGNERS = 16;

  static final int KEEP_COSIGNED = 64;

  private final ReceiptKey key;
  private final NoteSigner logSigner;
  private final ReceiptDomain domain;
  private final ReceiptLog log;
  private final Clock clock;
  private final Path cosignedDir;
  private final RequestIdIndex requestIds = new RequestIdIndex(this::requestIdAt);
  private final NavigableMap<Long, String> cosigned = new ConcurrentSkipListMap<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition arrived = lock.newCondition();
  private final ArrayDeque<Waiting> waiting = new ArrayDeque<>(); // guarded by lock
  private int expected; // guarded by lock: requests announced by expect() and not yet issued
  private boolean lingering; // guarded by lock: the signer waits for a batch to fill
  private boolean closing; // guarded by lock
  private final long lingerNanos;
  private final LongAdder signatures = new LongAdder();
  private final Thread signer;

  private ReceiptIssuer(
      ReceiptKey key,
      NoteSigner logSigner,
      ReceiptDomain domain,
      ReceiptLog log,
      Clock clock,
      Path cosignedDir,
      Duration batchLinger) {
    this.lingerNanos = batchLinger.toNanos();
    this.key = key;
    this.logSigner = logSigner;
    this.domain = domain;
    this.log = log;
    this.clock = clock;
    this.cosignedDir = cosignedDir;
    this.signer =
        Thread.ofPlatform()
            .name("receipt-signer " + logSigner.name())
            .daemon(true)
            .unstarted(this::signLoop);
  }

  /**
   * Opens (creating keys and log on first use) the issuer under {@code dataDir}, signing under the
   * devnet EIP-712 domain.
   */
  public static ReceiptIssuer open(Path dataDir) throws IOException {
    return open(dataDir, ReceiptDomain.DEVNET, Clock.systemUTC());
  }

  public static ReceiptIssuer open(Path dataDir, ReceiptDomain domain, Clock clock)
      throws IOException {
    return open(dataDir, domain, clock, DEFAULT_BATCH_LINGER);
  }

  /**
   * @param batchLinger how long a receipt may wait for announced requests to join its batch ({@link
   *     #DEFAULT_BATCH_LINGER}); zero signs whatever is waiting at once
   */
  public static ReceiptIssuer open(
      Path dataDir, ReceiptDomain domain, Clock clock, Duration batchLinger) throws IOException {
    if (batchLinger.isNegative()) {
      throw new IllegalArgumentException("batch linger must not be negative, got " + batchLinger);
    }
    Path keys = dataDir.resolve("keys");
    Files.createDirectories(keys);
    SecureRandom random = new SecureRandom();
    Path receiptKeyFile = keys.resolve("receipt.key");
    ReceiptKey key;
    if (Files.exists(receiptKeyFile)) {
      key = ReceiptKey.load(receiptKeyFile);
    } else {
      key = ReceiptKey.generate(random);
      key.save(receiptKeyFile);
      LOG.info("created receipt key for node {}", key.address());
    }
    String origin = ORIGIN_PREFIX + key.address().toString().toLowerCase(Locale.ROOT);
    Path logKeyFile = keys.resolve("log.key");
    NoteSigner logSigner;
    if (Files.exists(logKeyFile)) {
      logSigner = NoteSigner.load(logKeyFile);
      if (!logSigner.name().equals(origin)) {
        throw new IOException(
            "log key "
                + logKeyFile
                + " is named '"
                + logSigner.name()
                + "' but this node's log origin is '"
                + origin
                + "'");
      }
    } else {
      logSigner = NoteSigner.generate(origin, VerifierKey.ED25519, random);
      logSigner.save(logKeyFile);
      LOG.info("created log key {}", logSigner.verifierKey().encode());
    }
    ReceiptLog log =
        ReceiptLog.open(dataDir.resolve("log"), TransparencyLog.Options.defaults(logSigner));
    ReceiptIssuer issuer;
    try {
      issuer =
          new ReceiptIssuer(
              key, logSigner, domain, log, clock, dataDir.resolve("log-cosigned"), batchLinger);
      issuer.rebuildIndex();
      issuer.loadCosigned();
      issuer.signer.start();
    } catch (IOException | RuntimeException e) {
      log.close();
      throw e;
    }
    LOG.info(
        "receipt log {} open with {} entries", origin, log.log().checkpoint().checkpoint().size());
    return issuer;
  }

  private void rebuildIndex() throws IOException {
    long n = log.log().size();
    for (long i = 0; i < n; i++) {
      requestIds.recovered(requestIdAt(i), i);
    }
  }

  private String requestIdAt(long index) throws IOException {
    return ReceiptCodec.decode(Bytes.copyOf(log.log().entry(index))).receipt().requestId();
  }

  private void loadCosigned() throws IOException {
    if (!Files.isDirectory(cosignedDir)) {
      return;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(cosignedDir, "*.note")) {
      for (Path p : ds) {
        String text = Files.readString(p, StandardCharsets.UTF_8);
        try {
          SignedCheckpoint c = SignedCheckpoint.verify(text, logKey());
          if (c.checkpoint().size() <= log.log().size()
              && c.checkpoint().rootHash().equals(log.log().rootHash(c.checkpoint().size()))) {
            cosigned.put(c.checkpoint().size(), text);
          }
        } catch (NoteVerificationException | IllegalArgumentException e) {
          LOG.warn("ignoring damaged cosigned checkpoint {}: {}", p, e.getMessage());
        }
      }
    }
  }

  /**
   * Signs the draft, appends it to the log and waits until it is fsync'd.
   *
   * @throws ProblemException 409 if the request id was used before on this node, 503 once the
   *     issuer is closed
   */
  public IssuedReceipt issue(ReceiptDraft draft) throws IOException {
    return join(issueAsync(draft, null));
  }

  private static IssuedReceipt join(CompletableFuture<IssuedReceipt> f) throws IOException {
    try {
      return f.join();
    } catch (CompletionException e) {
      Throwable c = e.getCause();
      if (c instanceof IOException io) {
        throw io;
      }
      if (c instanceof java.io.UncheckedIOException u) {
        throw u.getCause();
      }
      if (c instanceof RuntimeException r) {
        throw r;
      }
      throw e;
    }
  }

  /**
   * Like {@link #issue}, completing once the receipt is durable. The receipt is built here; the
   * signer thread signs it together with every other receipt waiting at that moment.
   */
  public CompletableFuture<IssuedReceipt> issueAsync(ReceiptDraft draft) {
    return issueAsync(draft, null);
  }

  /**
   * Announces a request that will ask for a receipt shortly (call it before the inference runs).
   * While announced requests are on their way, the signer lets a batch fill for up to the batch
   * linger instead of signing a few receipts at a time; the request then issues through the
   * returned {@link Expected}. Close it in any case (try-with-resources): a request that fails
   * before its receipt must not hold batches back.
   */
  public Expected expect() {
    lock.lock();
    try {
      expected++;
    } finally {
      lock.unlock();
    }
    return new Expected();
  }

  /** A request announced by {@link #expect()}: issue its receipt here, close it when done. */
  public final class Expected implements AutoCloseable {
    private boolean open = true; // guarded by lock

    private Expected() {}

    /** {@link ReceiptIssuer#issue}, ending the announcement. */
    public IssuedReceipt issue(ReceiptDraft draft) throws IOException {
      return join(issueAsync(draft, this));
    }

    /** Ends the announcement if the receipt was not issued (the request failed). */
    @Override
    public void close() {
      lock.lock();
      try {
        arrive();
      } finally {
        lock.unlock();
      }
    }

    /** Under lock: this request no longer counts as on its way. */
    private void arrive() {
      if (open) {
        open = false;
        expected--;
        if (lingering && expected == 0) {
          arrived.signal();
        }
      }
    }
  }

  private CompletableFuture<IssuedReceipt> issueAsync(ReceiptDraft draft, Expected announced) {
    String id = draft.requestId();
    boolean fresh;
    try {
      fresh = requestIds.reserve(id);
    } catch (IOException e) {
      if (announced != null) {
        announced.close();
      }
      return CompletableFuture.failedFuture(e);
    }
    if (!fresh) {
      if (announced != null) {
        announced.close();
      }
      throw ProblemException.conflict("request id '" + id + "' was already used on this node");
    }
    Waiting w;
    try {
      Receipt receipt =
          Receipt.builder()
              .model(draft.modelDigest())
              .engine(draft.engine())
              .input(draft.inputDigest())
              .output(draft.outputDigest())
              .trace(draft.traceRoot(), draft.traceLeaves())
              .node(key.address())
              .requestId(id)
              .timeMillis(clock.millis())
              .policy(draft.policy())
              .seed(draft.seed())
              .build();
      // The digest is hashed here, on the request's thread, leaving the signer only the tree.
      w =
          new Waiting(
              DigestedReceipt.of(receipt, domain), new CompletableFuture<>(), System.nanoTime());
    } catch (RuntimeException e) {
      requestIds.release(id);
      if (announced != null) {
        announced.close();
      }
      throw e;
    }
    lock.lock();
    try {
      if (announced != null) {
        announced.arrive();
      }
      if (closing) {
        requestIds.release(id);
        throw closedProblem();
      }
      waiting.add(w);
      // Wake the signer when it idles for a first receipt or a lingering batch is full; an
      // arrival that only adds to a lingering batch costs no wake-up.
      if (waiting.size() == 1 || (lingering && waiting.size() >= LINGER_TARGET)) {
        arrived.signal();
      }
    } finally {
      lock.unlock();
    }
    return w.done();
  }

  private static ProblemException closedProblem() {
    return new ProblemException(
        Problem.of(
            503,
            "unavailable",
            "Service unavailable",
            "the node is shutting down: its receipt issuer no longer accepts requests"));
  }

  /** A receipt waiting to be signed, and the future of the request that asked for it. */
  private record Waiting(
      DigestedReceipt receipt, CompletableFuture<IssuedReceipt> done, long arrivedNanos) {
    String requestId() {
      return receipt.receipt().requestId();
    }
  }

  /**
   * The signer thread: takes every receipt waiting (at most {@link BatchProof#MAX_SIZE}), signs
   * them with one signature and queues them for the log's group commit. It then waits until the
   * batch before is durable, so that signing batch k+1 overlaps the fsync of batch k while the
   * receipts arriving meanwhile gather into the next batch. A lone receipt is signed directly
   * (format 1). After close it drains what was accepted before it stops.
   */
  private void signLoop() {
    List<Waiting> batch = new ArrayList<>();
    CompletableFuture<Void> previous = CompletableFuture.completedFuture(null);
    while (true) {
      batch.clear();
      lock.lock();
      try {
        while (waiting.isEmpty() && !closing) {
          arrived.awaitUninterruptibly();
        }
        if (waiting.isEmpty()) {
          return;
        }
        linger();
        while (!waiting.isEmpty() && batch.size() < BatchProof.MAX_SIZE) {
          batch.add(waiting.poll());
        }
      } finally {
        lock.unlock();
      }
      CompletableFuture<Void> durable = signAndAppend(batch);
      // Failures are reported to each request; here only the moment matters.
      previous.handle((v, e) -> null).join();
      previous = durable;
    }
  }

  /**
   * Under lock, with a receipt waiting: while announced requests are still on their way, lets the
   * batch fill until {@link #LINGER_TARGET} receipts wait, the last announced one arrives, or the
   * first waiting one has waited the linger time.
   */
  private void linger() {
    long deadline = waiting.peek().arrivedNanos() + lingerNanos;
    lingering = true;
    try {
      while (!closing && expected > 0 && waiting.size() < LINGER_TARGET) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return;
        }
        arrived.awaitNanos(left);
      }
    } catch (InterruptedException e) {
      // close() is the only way to stop this thread; sign what is waiting.
    } finally {
      lingering = false;
    }
  }

  /** Signs and queues the batch; the result completes once every entry's append has finished. */
  private CompletableFuture<Void> signAndAppend(List<Waiting> batch) {
    List<SignedReceipt> signed;
    try {
      if (batch.size() == 1) {
        signed = List.of(SignedReceipt.sign(batch.getFirst().receipt(), key));
      } else {
        signed = SignedReceipt.signBatch(batch.stream().map(Waiting::receipt).toList(), key);
      }
      signatures.increment();
    } catch (RuntimeException e) {
      LOG.error("signing a batch of {} receipts failed", batch.size(), e);
      for (Waiting w : batch) {
        requestIds.release(w.requestId());
        w.done().completeExceptionally(e);
      }
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<?>[] appends = new CompletableFuture<?>[batch.size()];
    for (int i = 0; i < batch.size(); i++) {
      Waiting w = batch.get(i);
      String id = w.requestId();
      CompletableFuture<ReceiptBundle> appended;
      try {
        appended = log.appendAsync(signed.get(i));
      } catch (RuntimeException e) {
        appended = CompletableFuture.failedFuture(e);
      }
      appends[i] =
          appended.whenComplete(
              (b, err) -> {
                if (err != null) {
                  requestIds.release(id);
                  w.done()
                      .completeExceptionally(
                          err instanceof CompletionException ce ? ce.getCause() : err);
                  return;
                }
                requestIds.durable(id, b.logIndex());
                w.done().complete(IssuedReceipt.of(b));
              });
    }
    return CompletableFuture.allOf(appends);
  }

  /**
   * Runs {@code hook} on the log's commit thread before each group commit is written, so that data
   * a request wrote before asking for its receipt (its archived input) is on the file system before
   * the receipt is acknowledged.
   */
  public void beforeEachCommit(Runnable hook) {
    log.log().beforeEachCommit(hook);
  }

  /** How many signatures the issuer made since it was opened (one per batch). */
  public long signatureCount() {
    return signatures.sum();
  }

  /** The log index of a durable receipt by its request id. */
  public Optional<Long> logIndex(String requestId) throws IOException {
    return requestIds.durableIndex(requestId);
  }

  /**
   * A durable receipt by request id, proven against the newest cosigned checkpoint that covers it
   * (or the current checkpoint if no cosigned one does).
   */
  public Optional<IssuedReceipt> find(String requestId) throws IOException {
    Optional<Long> i = logIndex(requestId);
    return i.isPresent() ? Optional.of(receipt(i.get())) : Optional.empty();
  }

  /** The receipt at {@code index}, proven as in {@link #find}. */
  public IssuedReceipt receipt(long index) throws IOException {
    Map.Entry<Long, String> best = cosigned.lastEntry();
    if (best != null && best.getKey() > index) {
      SignedReceipt r = ReceiptCodec.decode(Bytes.copyOf(log.log().entry(index)));
      InclusionProof p = log.log().inclusionProof(index, best.getKey());
      return new IssuedReceipt(r, p, best.getValue());
    }
    ReceiptBundle b = log.bundle(index);
    return new IssuedReceipt(b.receipt(), b.inclusion(), withCosignatures(b.checkpoint()));
  }

  /** The current signed checkpoint note, with any cosignatures collected for exactly it. */
  public String checkpoint() {
    return withCosignatures(log.log().checkpoint().encode());
  }

  private String withCosignatures(String note) {
    long size = Checkpoint.parse(Note.parse(note).text()).size();
    String c = cosigned.get(size);
    return c != null && Note.parse(c).text().equals(Note.parse(note).text()) ? c : note;
  }

  /** The newest checkpoint that carries witness cosignatures. */
  public Optional<String> latestCosigned() {
    Map.Entry<Long, String> e = cosigned.lastEntry();
    return e == null ? Optional.empty() : Optional.of(e.getValue());
  }

  /**
   * Collects a witness's cosignature: {@code cosignedNote} must be one of this log's checkpoints
   * (log signature valid) carrying a valid cosignature from {@code witness}. The cosignature is
   * merged into the stored note for that size, which later bundles and {@link #checkpoint()} carry.
   *
   * @return the merged note
   */
  public synchronized String addCosignature(VerifierKey witness, String cosignedNote)
      throws NoteVerificationException, IOException {
    if (witness.type() != VerifierKey.COSIGNATURE_V1) {
      throw new IllegalArgumentException("witness key must be a cosignature/v1 key (type 0x04)");
    }
    SignedCheckpoint offered = SignedCheckpoint.verify(cosignedNote, logKey());
    CosignatureV1.verify(offered.note(), witness);
    Checkpoint c = offered.checkpoint();
    if (c.size() > log.log().size() || !c.rootHash().equals(log.log().rootHash(c.size()))) {
      // Signed by our key yet not our tree: never merge it, it is evidence of a problem.
      throw new NoteVerificationException(
          "checkpoint of size " + c.size() + " does not match this log's tree");
    }
    Note base =
        cosigned.containsKey(c.size())
            ? Note.parse(cosigned.get(c.size()))
            : new Note(offered.note().text(), List.of(signatureOf(offered.note())));
    // One cosignature per witness, its newest: the offered note usually carries this witness's
    // earlier cosignature too (it was fetched from GET /checkpoint), and keeping both let every
    // witnessing round add another line until the checkpoint was full.
    NoteSignature newest = null;
    for (NoteSignature s : offered.note().signatures()) {
      if (witness.matches(s)
          && (newest == null || CosignatureV1.timestamp(s) > CosignatureV1.timestamp(newest))) {
        newest = s;
      }
    }
    List<NoteSignature> sigs = new ArrayList<>(base.signatures());
    for (NoteSignature s : base.signatures()) {
      if (witness.matches(s) && CosignatureV1.timestamp(s) > CosignatureV1.timestamp(newest)) {
        newest = s; // a cosignature older than the one kept never replaces it
      }
    }
    sigs.removeIf(witness::matches);
    if (sigs.size() > MAX_COSIGNERS && trusted(witness)) {
      // Full: a trusted witness takes the place of the stranger with the oldest cosignature, so
      // keys nobody configured cannot crowd out the witnesses this node's clients rely on.
      NoteSignature evict = null;
      VerifierKey own = logKey();
      for (NoteSignature s : sigs) {
        if (!own.matches(s)
            && !trusted(s)
            && (evict == null || CosignatureV1.timestamp(s) < CosignatureV1.timestamp(evict))) {
          evict = s;
        }
      }
      if (evict != null) {
        sigs.remove(evict);
      }
    }
    sigs.add(newest);
    if (sigs.size() > MAX_COSIGNERS + 1) {
      throw new IllegalArgumentException(
          "checkpoint "
              + c.size()
              + " already carries "
              + MAX_COSIGNERS
              + " cosignatures"
              + (trustedWitnesses.isEmpty() ? "" : " (places are kept for trusted witnesses)"));
    }
    String merged = new Note(base.text(), sigs).encode();
    AtomicFiles.write(
        cosignedDir.resolve(c.size() + ".note"), merged.getBytes(StandardCharsets.UTF_8));
    cosigned.put(c.size(), merged);
    while (cosigned.size() > KEEP_COSIGNED) {
      long oldest = cosigned.firstKey();
      cosigned.remove(oldest);
      Files.deleteIfExists(cosignedDir.resolve(oldest + ".note"));
    }
    return merged;
  }

  /**
   * Witnesses whose cosignatures always find a place on a checkpoint: when all {@link
   * #MAX_COSIGNERS} places are taken, one of theirs replaces a stranger's (node setting {@code
   * trusted-witnesses}).
   */
  public void trustWitnesses(java.util.Collection<VerifierKey> witnesses) {
    for (VerifierKey w : witnesses) {
      if (w.type() != VerifierKey.COSIGNATURE_V1) {
        throw new IllegalArgumentException(
            "trusted witness " + w.encode() + " is not a cosignature/v1 key (type 0x04)");
      }
    }
    trustedWitnesses = List.copyOf(witnesses);
  }

  private volatile List<VerifierKey> trustedWitnesses = List.of();

  private boolean trusted(VerifierKey witness) {
    return trustedWitnesses.contains(witness);
  }

  private boolean trusted(NoteSignature s) {
    for (VerifierKey w : trustedWitnesses) {
      if (w.matches(s)) {
        return true;
      }
    }
    return false;
  }

  private NoteSignature signatureOf(Note note) {
    VerifierKey k = logKey();
    for (NoteSignature s : note.signatures()) {
      if (k.matches(s)) {
        return s;
      }
    }
    throw new IllegalStateException("verified note lacks the log signature");
  }

  public ConsistencyProof consistencyProof(long from, long to) {
    return log.log().consistencyProof(from, to);
  }

  public InclusionProof inclusionProof(long index, long size) {
    return log.log().inclusionProof(index, size);
  }

  /** The underlying log, for tiles and proofs. */
  public TransparencyLog log() {
    return log.log();
  }

  /** The node identity receipts name (the address ecrecover returns). */
  public EthAddress address() {
    return key.address();
  }

  public String origin() {
    return logSigner.name();
  }

  /** The verifier key of the log's checkpoints ({@code origin+keyid+base64}). */
  public VerifierKey logKey() {
    return logSigner.verifierKey();
  }

  public ReceiptDomain domain() {
    return domain;
  }

  /**
   * Stops accepting requests (they get a 503), signs and logs every receipt already accepted, then
   * closes the log, which commits them: a request that was accepted before close gets its durable
   * receipt; one that could not be committed fails with the log's error.
   */
  @Override
  public void close() throws IOException {
    lock.lock();
    try {
      if (closing) {
        return;
      }
      closing = true;
      arrived.signalAll();
    } finally {
      lock.unlock();
    }
    boolean interrupted = false;
    while (true) {
      try {
        signer.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    try {
      log.close();
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
