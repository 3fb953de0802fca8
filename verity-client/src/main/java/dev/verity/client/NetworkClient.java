package dev.verity.client;

import dev.verity.client.routing.Candidate;
import dev.verity.client.routing.Failover;
import dev.verity.client.routing.RetryPolicy;
import dev.verity.client.routing.Routed;
import dev.verity.client.routing.StakeWeightedSelector;
import dev.verity.core.Digest;
import dev.verity.log.bundle.ReceiptBundle;
import dev.verity.log.verify.BundleVerificationException;
import dev.verity.log.verify.BundleVerifier;
import dev.verity.log.verify.VerifyOptions;
import dev.verity.receipt.Receipt;
import dev.verity.settlement.Deployment;
import dev.verity.settlement.ModelInfo;
import dev.verity.settlement.NodeInfo;
import dev.verity.settlement.Settlement;
import dev.verity.settlement.SettlementException;
import dev.verity.settlement.evm.EvmKey;
import dev.verity.settlement.evm.EvmSettlement;
import java.io.IOException;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;

/**
 * A client for the whole network rather than one node. For a model it discovers the active nodes
 * that serve it from NodeRegistry on-chain (registered, not banned, stake at least the minimum, a
 * heartbeat within {@code maxHeartbeatAge}), picks one stake-weighted with a per-operator cap
 * ({@link StakeWeightedSelector}), and fails over or hedges to others ({@link Failover}) when a
 * node is down, slow or answers badly. Every answer's receipt is verified before it is returned:
 * the node's claimed identity must be the address the registry lists, the receipt must be signed by
 * it under the deployment's EIP-712 domain, name the requested model and request id, and be
 * included in the node's signed checkpoint.
 */
public final class NetworkClient implements AutoCloseable {
  private final Settlement chain;
  private final boolean ownsChain;
  private final Duration maxHeartbeatAge;
  private final StakeWeightedSelector selector;
  private final RetryPolicy retry;
  private final RandomGenerator random;
  private final Duration discoveryTtl;
  private final Duration penalty;
  private final Map<URI, VerityClient> clients = new ConcurrentHashMap<>();
  private final Map<URI, NodeIdentity> identities = new ConcurrentHashMap<>();
  private final Map<Digest, Cached> discovered = new ConcurrentHashMap<>();
  private final Map<URI, Long> failedUntil = new ConcurrentHashMap<>();

  private record Cached(List<Candidate> nodes, long atNanos) {}

  private NetworkClient(Builder b, Settlement chain, boolean owns) {
    this.chain = chain;
    this.ownsChain = owns;
    this.maxHeartbeatAge = b.maxHeartbeatAge;
    this.selector = new StakeWeightedSelector(b.operatorCap);
    this.retry = b.retry;
    this.random = b.random;
    this.discoveryTtl = b.discoveryTtl;
    this.penalty = b.penalty;
  }

  /** Settings for {@link #connect}. */
  public static final class Builder {
    private Duration maxHeartbeatAge = Duration.ofMinutes(5);
    private double operatorCap = 0.5;
    private RetryPolicy retry = RetryPolicy.DEFAULT;
    private RandomGenerator random = new SecureRandom();
    private Duration discoveryTtl = Duration.ofSeconds(5);
    private Duration penalty = Duration.ofSeconds(10);

    /** Nodes whose last heartbeat is older are not routed to (default 5 minutes). */
    public Builder maxHeartbeatAge(Duration d) {
      this.maxHeartbeatAge = Objects.requireNonNull(d);
      return this;
    }

    /** Largest share of requests one operator may get (default 0.5). */
    public Builder operatorCap(double cap) {
      new StakeWeightedSelector(cap);
      this.operatorCap = cap;
      return this;
    }

    public Builder retry(RetryPolicy p) {
      this.retry = Objects.requireNonNull(p);
      return this;
    }

    /** The random source of node choice; a seeded one makes routing reproducible. */
    public Builder random(RandomGenerator r) {
      this.random = Objects.requireNonNull(r);
      return this;
    }

    /** How long a discovery answer is reused (default 5 s; zero asks the chain every time). */
    public Builder discoveryTtl(Duration d) {
      this.discoveryTtl = Objects.requireNonNull(d);
      return this;
    }

    /** How long a node that failed is tried only after the others (default 10 s). */
    public Builder failurePenalty(Duration d) {
      this.penalty = Objects.requireNonNull(d);
      return this;
    }

    /** Connects read-only to the chain at {@code rpcUrl} (no key of yours is needed). */
    public NetworkClient connect(String rpcUrl, Deployment deployment) throws IOException {
      try {
        // eth_call needs a from address only; a throwaway key holds no funds and signs nothing.
        return new NetworkClient(
            this,
            EvmSettlement.connect(rpcUrl, deployment, EvmKey.generate(new SecureRandom())),
            true);
      } catch (SettlementException e) {
        throw new IOException(e.getMessage(), e);
      }
    }

    /** Uses an open settlement client (not closed with this client). */
    public NetworkClient using(Settlement settlement) {
      return new NetworkClient(this, Objects.requireNonNull(settlement), false);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  public Deployment deployment() {
    return chain.deployment();
  }

  public StakeWeightedSelector selector() {
    return selector;
  }

  /**
   * The manifest digest of {@code model}: a digest as is, or {@code name@version} looked up in
   * ModelRegistry.
   */
  public Digest resolve(String model) throws IOException {
    if (model.startsWith("sha256:")) {
      try {
        return Digest.parse(model);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("not a manifest digest: " + model, e);
      }
    }
    int at = model.lastIndexOf('@');
    if (at <= 0 || at == model.length() - 1) {
      throw new IllegalArgumentException(
          "name a model by manifest digest or name@version, got '" + model + "'");
    }
    try {
      Optional<ModelInfo> m = chain.model(model.substring(0, at), model.substring(at + 1));
      return m.orElseThrow(
              () -> new IOException("model " + model + " is not registered in ModelRegistry"))
          .digest();
    } catch (SettlementException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  /** The active nodes serving {@code model}, as the registry lists them now (or recently). */
  public List<Candidate> discover(Digest model) throws IOException {
    Cached c = discovered.get(model);
    if (c != null && System.nanoTime() - c.atNanos() < discoveryTtl.toNanos()) {
      return c.nodes();
    }
    List<Candidate> out = new ArrayList<>();
    try {
      for (NodeInfo n : chain.nodesServing(model, Optional.of(maxHeartbeatAge))) {
        if (n.banned()) {
          continue;
        }
        URI endpoint;
        try {
          endpoint = URI.create(n.endpoint());
        } catch (IllegalArgumentException e) {
          continue; // an endpoint nobody can reach is no candidate
        }
        out.add(new Candidate(n.node(), n.operator(), endpoint, n.stakeWei()));
      }
    } catch (SettlementException e) {
      throw new IOException("discovering nodes for " + model + ": " + e.getMessage(), e);
    }
    discovered.put(model, new Cached(List.copyOf(out), System.nanoTime()));
    return out;
  }

  /** The order nodes would be tried in for {@code model}: a fresh stake-weighted draw. */
  public List<Candidate> plan(Digest model) throws IOException {
    List<Candidate> ranked;
    synchronized (random) {
      ranked = selector.rank(discover(model), random);
    }
    // Nodes that just failed go last, keeping their relative order.
    long now = System.nanoTime();
    List<Candidate> good = new ArrayList<>();
    List<Candidate> penalised = new ArrayList<>();
    for (Candidate c : ranked) {
      Long until = failedUntil.get(c.endpoint());
      (until != null && until - now > 0 ? penalised : good).add(c);
    }
    good.addAll(penalised);
    return good;
  }

  /**
   * Runs an inference on a node serving the request's model, failing over as needed, and returns
   * the first answer whose receipt verifies. A request id is chosen if the request has none, so
   * every node tried sees the same one.
   */
  public Routed<InferenceReply> infer(InferRequest request) throws IOException {
    Digest model = resolve(request.model());
    String id = request.requestId().isEmpty() ? newRequestId() : request.requestId();
    InferRequest r =
        new InferRequest(
            model.toString(), request.engine(), request.inputs(), request.policy(), id);
    return route(
        model,
        node -> {
          InferenceReply reply = client(node).infer(r);
          verify(node, reply.receipt(), model, id);
          return reply;
        });
  }

  /**
   * Runs {@code request} on one given node (no failover) and verifies its receipt as {@link #infer}
   * does: the node's address is the registry's, the receipt is signed by it under the deployment's
   * domain, logged, and names the model and request id. The request must name the model by manifest
   * digest and carry a request id. A node that fails is routed to last for a while.
   */
  public InferenceReply inferOn(Candidate node, InferRequest request) throws IOException {
    Digest model = resolve(request.model());
    if (request.requestId().isEmpty()) {
      throw new IllegalArgumentException("inferOn needs a request id");
    }
    try {
      InferenceReply reply = client(node).infer(request);
      verify(node, reply.receipt(), model, request.requestId());
      return reply;
    } catch (IOException | RuntimeException e) {
      if (retryable(e)) {
        failedUntil.put(node.endpoint(), System.nanoTime() + penalty.toNanos());
      }
      throw e;
    }
  }

  /**
   * Runs a chat completion on a node serving the model, failing over as needed; the receipt is
   * verified before this returns.
   */
  public Routed<ChatCompletion> chat(ChatRequest request) throws IOException {
    Digest model = resolve(request.model());
    ChatRequest r = ChatRequest.of(model.toString(), request.messages());
    if (request.maxTokens().isPresent()) {
      r = r.withMaxTokens(request.maxTokens().getAsInt());
    }
    r = r.withTemperature(request.temperature()).withTopP(request.topP());
    if (request.seed().isPresent()) {
      r = r.withSeed(request.seed().getAsLong());
    }
    ChatRequest req = r;
    return route(
        model,
        node -> {
          ChatCompletion c = client(node).chat(req);
          verify(node, c.receipt(), model, c.id());
          return c;
        });
  }

  private <T> Routed<T> route(Digest model, Failover.Call<T> call) throws IOException {
    List<Candidate> plan = plan(model);
    if (plan.isEmpty()) {
      throw new dev.verity.client.routing.NoNodeAnsweredException(
          "no active node serves " + model + " (heartbeat within " + maxHeartbeatAge + ")",
          List.of());
    }
    try {
      Routed<T> routed =
          Failover.call(
              plan,
              retry,
              NetworkClient::retryable,
              node -> {
                try {
                  return call.run(node);
                } catch (Exception e) {
                  if (retryable(e)) {
                    failedUntil.put(node.endpoint(), System.nanoTime() + penalty.toNanos());
                  }
                  throw e;
                }
              });
      failedUntil.remove(routed.node().endpoint());
      return routed;
    } catch (dev.verity.client.routing.NoNodeAnsweredException e) {
      // The registry may be stale (a node stopped): ask again next time.
      discovered.remove(model);
      throw e;
    }
  }

  /**
   * Whether to try another node after {@code e}: yes for transport failures, a bad receipt, and
   * answers that say the node (not the request) is at fault; no for requests the node refused as
   * invalid, which every node would refuse.
   */
  public static boolean retryable(Exception e) {
    if (e instanceof VerityApiException a) {
      int s = a.status();
      return s >= 500 || s == 404 || s == 408 || s == 429;
    }
    return e instanceof IOException || e instanceof ReceiptRejectedException;
  }

  /** A node's answer carried a receipt that does not check out; another node is tried. */
  public static final class ReceiptRejectedException extends IOException {
    public ReceiptRejectedException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private void verify(Candidate node, ReceiptBundle bundle, Digest model, String requestId)
      throws IOException {
    NodeIdentity id = identity(node);
    if (!id.address()
        .toLowerCase(Locale.ROOT)
        .equals(node.node().toString().toLowerCase(Locale.ROOT))) {
      identities.remove(node.endpoint());
      throw new ReceiptRejectedException(
          "the node at "
              + node.endpoint()
              + " says it is "
              + id.address()
              + " but the registry lists "
              + node.node()
              + " there",
          null);
    }
    try {
      BundleVerifier.verify(
          bundle, VerifyOptions.trusting(id.logKey()).domain(chain.deployment().receiptDomain()));
    } catch (BundleVerificationException e) {
      identities.remove(node.endpoint());
      throw new ReceiptRejectedException(
          "receipt from " + node.endpoint() + " rejected: " + e.getMessage(), e);
    }
    Receipt r = bundle.receipt().receipt();
    if (!r.node().equals(node.node())) {
      throw new ReceiptRejectedException(
          "receipt names node " + r.node() + ", not " + node.node(), null);
    }
    if (!r.modelDigest().equals(model)) {
      throw new ReceiptRejectedException(
          "receipt names model " + r.modelDigest() + ", not the requested " + model, null);
    }
    if (!r.requestId().equals(requestId)) {
      throw new ReceiptRejectedException(
          "receipt is for request " + r.requestId() + ", not " + requestId, null);
    }
  }

  private NodeIdentity identity(Candidate node) throws IOException {
    NodeIdentity id = identities.get(node.endpoint());
    if (id == null) {
      id = client(node).node();
      identities.put(node.endpoint(), id);
    }
    return id;
  }

  private VerityClient client(Candidate node) {
    return clients.computeIfAbsent(node.endpoint(), VerityClient::connect);
  }

  private static String newRequestId() {
    return "r-" + UUID.randomUUID();
  }

  @Override
  public void close() {
    clients.values().forEach(VerityClient::close);
    clients.clear();
    if (ownsChain) {
      chain.close();
    }
  }
}
