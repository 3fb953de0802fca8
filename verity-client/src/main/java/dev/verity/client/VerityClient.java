package dev.verity.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.verity.client.internal.BlobDownload;
import dev.verity.client.internal.BlobUpload;
import dev.verity.client.internal.ChatStream;
import dev.verity.client.internal.Transport;
import dev.verity.core.Digest;
import dev.verity.core.DigestMismatchException;
import dev.verity.core.FormatException;
import dev.verity.hub.manifest.SignedManifest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A client for one Verity node's REST API.
 *
 * <p>It never trusts the node with integrity: manifests it returns are checked to hash to the
 * digest that was asked for, and downloads are checked against the blob digest before they appear
 * under their final name. Signatures are the caller's to check ({@link SignedManifest#verify()}).
 * Errors the node reports arrive as {@link VerityApiException}.
 */
public final class VerityClient implements AutoCloseable {
  private final Transport transport;
  private final BlobUpload uploads;
  private final BlobDownload downloads;
  private final ChatStream chats;

  private VerityClient(Transport transport) {
    this.transport = transport;
    this.uploads = new BlobUpload(transport);
    this.downloads = new BlobDownload(transport);
    this.chats = new ChatStream(transport);
  }

  /** A client for the node at {@code url}, such as {@code http://127.0.0.1:7070}. */
  public static VerityClient connect(URI url) {
    return new VerityClient(new Transport(url, Duration.ofSeconds(10), Duration.ofSeconds(60)));
  }

  public static VerityClient connect(String url) {
    try {
      return connect(URI.create(url));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a valid node URL: '" + url + "'", e);
    }
  }

  public URI url() {
    return transport.base();
  }

  public NodeHealth health() throws IOException {
    JsonNode n = transport.getJson("/v1/health");
    return new NodeHealth(
        n.path("status").asText(), n.path("version").asText(), n.path("maxUploadBytes").asLong());
  }

  /** The stored size of a blob, or empty if the node does not have it. */
  public OptionalLong blobSize(Digest digest) throws IOException {
    HttpRequest req =
        transport
            .request("/v1/blobs/" + digest)
            .method("HEAD", HttpRequest.BodyPublishers.noBody())
            .build();
    HttpResponse<byte[]> r = transport.send(req, HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() == 404) {
      return OptionalLong.empty();
    }
    if (r.statusCode() != 200) {
      throw Transport.problem(r.statusCode(), r.body(), req);
    }
    return OptionalLong.of(r.headers().firstValueAsLong("Content-Length").orElse(-1));
  }

  /**
   * Uploads {@code file} as the blob {@code digest}, continuing from whatever the node already
   * holds (after an interruption, just call again). Does nothing if the node has the blob.
   */
  public void uploadBlob(Digest digest, Path file, ProgressListener progress) throws IOException {
    uploads.upload(digest, file, progress);
  }

  /** How many bytes of {@code digest} the node holds from an unfinished upload. */
  public long uploadOffset(Digest digest) throws IOException {
    return uploads.status(digest).offset();
  }

  /**
   * Downloads the blob {@code digest} to {@code target}, resuming from {@code target.part} if a
   * previous call was interrupted.
   *
   * @throws DigestMismatchException if the bytes do not hash to {@code digest}; nothing is left at
   *     {@code target} or in the part file
   */
  public void downloadBlob(Digest digest, Path target, ProgressListener progress)
      throws IOException, DigestMismatchException {
    downloads.download(digest, target, progress);
  }

  /**
   * Runs a chat completion on the node's OpenAI-compatible API, streaming: {@code listener} gets
   * the text as it is generated. The answer's receipt is checked (signature, request id, output
   * digest over the generated tokens) before this returns.
   *
   * @throws VerityApiException if the node refuses the request (for example over a limit, which the
   *     detail names) or fails mid-stream
   * @throws IOException if the stream ends early or the receipt does not check out
   */
  public ChatCompletion chat(ChatRequest request, ChatListener listener) throws IOException {
    return chats.chat(request, listener);
  }

  public ChatCompletion chat(ChatRequest request) throws IOException {
    return chat(request, ChatListener.NONE);
  }

  /** Publishes a signed manifest; every blob it names must be uploaded first. */
  public PublishResult publish(SignedManifest manifest) throws IOException {
    HttpRequest req =
        transport
            .request("/v1/models")
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(manifest.toJson()))
            .build();
    HttpResponse<byte[]> r = transport.send(req, HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() != 200 && r.statusCode() != 201) {
      throw Transport.problem(r.statusCode(), r.body(), req);
    }
    JsonNode n = Transport.JSON.readTree(r.body());
    return new PublishResult(
        Digest.parse(n.path("digest").asText()),
        n.path("name").asText(),
        n.path("version").asText(),
        r.statusCode() == 201);
  }

  /** Every model version, or those whose name or description contains {@code query}. */
  public List<ModelSummary> listModels(Optional<String> query) throws IOException {
    String path = "/v1/models";
    if (query.isPresent() && !query.get().isEmpty()) {
      path += "?q=" + Transport.encode(query.get());
    }
    return summaries(transport.getJson(path));
  }

  /** The versions of {@code name}, newest first. */
  public List<ModelSummary> versions(String name) throws IOException {
    return summaries(transport.getJson("/v1/models/" + Transport.encode(name)));
  }

  public SignedManifest model(String name, String version) throws IOException {
    return manifestView(
        transport.getJson("/v1/models/" + Transport.encode(name) + "/" + Transport.encode(version)),
        null);
  }

  /** The newest version of {@code name}. */
  public SignedManifest latest(String name) throws IOException {
    List<ModelSummary> v = versions(name);
    if (v.isEmpty()) {
      throw new VerityApiException(
          404, "urn:verity:problem:not-found", "Not found", "model '" + name + "' has no versions");
    }
    return manifest(v.get(0).digest());
  }

  public SignedManifest manifest(Digest digest) throws IOException {
    return manifestView(transport.getJson("/v1/manifests/" + digest), digest);
  }

  /** The manifest {@code digest} followed by its parent, grandparent, and so on. */
  public List<SignedManifest> lineage(Digest digest) throws IOException {
    JsonNode n = transport.getJson("/v1/manifests/" + digest + "/lineage");
    List<SignedManifest> out = new ArrayList<>();
    Digest expected = digest;
    for (JsonNode m : n.path("lineage")) {
      SignedManifest sm = manifestView(m, expected);
      out.add(sm);
      expected = sm.manifest().parentDigest().orElse(null);
    }
    return out;
  }

  private static SignedManifest manifestView(JsonNode view, Digest expected) throws IOException {
    SignedManifest sm;
    try {
      sm = SignedManifest.parse(Transport.JSON.writeValueAsBytes(view.path("envelope")));
    } catch (FormatException e) {
      throw new IOException("node sent a malformed manifest envelope: " + e.getMessage(), e);
    }
    String claimed = view.path("digest").asText();
    if (!sm.digest().toString().equals(claimed)
        || (expected != null && !sm.digest().equals(expected))) {
      throw new IOException(
          "node sent a manifest that hashes to "
              + sm.digest()
              + " but claimed "
              + (expected != null ? expected : claimed));
    }
    return sm;
  }

  /**
   * Runs an inference on the node. The reply's outputs are checked to hash to the receipt's output
   * digest; verify the receipt itself with {@link ReceiptVerifier}.
   */
  public InferenceReply infer(InferRequest request) throws IOException {
    com.fasterxml.jackson.databind.node.ObjectNode body = Transport.JSON.createObjectNode();
    body.put("model", request.model());
    body.put("engine", request.engine());
    body.put("policy", request.policy());
    if (!request.requestId().isEmpty()) {
      body.put("requestId", request.requestId());
    }
    body.put("outputEncoding", "base64");
    body.set("inputs", dev.verity.engine.TensorJson.toJson(request.inputs(), true));
    HttpRequest req =
        transport
            .longRequest("/v1/infer")
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(Transport.JSON.writeValueAsBytes(body)))
            .build();
    JsonNode n = transport.sendJson(req);
    dev.verity.log.bundle.ReceiptBundle rb = receiptBundle(n);
    java.util.Map<String, dev.verity.engine.Tensor> outputs;
    try {
      outputs = dev.verity.engine.TensorJson.parseMap(n.get("outputs"), "output", Long.MAX_VALUE);
    } catch (IllegalArgumentException e) {
      throw new IOException("node sent malformed outputs: " + e.getMessage(), e);
    }
    Digest claimed = rb.receipt().receipt().outputDigest();
    if (!dev.verity.engine.TensorEncoding.digest(outputs).equals(claimed)) {
      throw new IOException(
          "node sent outputs that do not hash to its receipt's output digest " + claimed);
    }
    JsonNode m = n.path("model");
    return new InferenceReply(
        n.path("requestId").asText(),
        m.path("name").asText(),
        m.path("version").asText(),
        Digest.parse(m.path("digest").asText()),
        outputs,
        rb);
  }

  /** A logged receipt by request id, proven against the node's newest (cosigned) checkpoint. */
  public dev.verity.log.bundle.ReceiptBundle receipt(String requestId) throws IOException {
    return receiptBundle(transport.getJson("/v1/receipts/" + Transport.encode(requestId)));
  }

  /** The bundle file text for {@code requestId}: everything needed to verify it offline. */
  public String bundleJson(String requestId) throws IOException {
    JsonNode n = transport.getJson("/v1/receipts/" + Transport.encode(requestId) + "/bundle");
    String text = Transport.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n) + "\n";
    try {
      InferenceBundle.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IOException("node sent a malformed bundle: " + e.getMessage(), e);
    }
    return text;
  }

  public InferenceBundle bundle(String requestId) throws IOException {
    return InferenceBundle.parse(bundleJson(requestId));
  }

  /** The node's receipt address, log origin and log key. */
  public NodeIdentity node() throws IOException {
    JsonNode n = transport.getJson("/v1/node");
    try {
      return new NodeIdentity(
          n.path("address").asText(),
          n.path("origin").asText(),
          dev.verity.log.note.VerifierKey.parse(n.path("logKey").asText()),
          n.path("logSize").asLong());
    } catch (IllegalArgumentException e) {
      throw new IOException("node sent a malformed identity: " + e.getMessage(), e);
    }
  }

  /** The node's current signed checkpoint note. */
  public String checkpoint() throws IOException {
    HttpRequest req = transport.request("/checkpoint").GET().build();
    HttpResponse<byte[]> r = transport.send(req, HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() != 200) {
      throw Transport.problem(r.statusCode(), r.body(), req);
    }
    return new String(r.body(), java.nio.charset.StandardCharsets.UTF_8);
  }

  /** A consistency proof between two sizes of the node's log. */
  public dev.verity.log.ConsistencyProof consistencyProof(long from, long to) throws IOException {
    JsonNode n = transport.getJson("/v1/log/proof/consistency?from=" + from + "&to=" + to);
    List<dev.verity.core.Bytes> path = new ArrayList<>();
    for (JsonNode h : n.path("proof")) {
      path.add(dev.verity.core.Bytes.copyOf(java.util.Base64.getDecoder().decode(h.asText())));
    }
    return new dev.verity.log.ConsistencyProof(from, to, path);
  }

  /** Asks this node to witness the log of the node at {@code peer} now. */
  public WitnessResult witness(URI peer) throws IOException {
    com.fasterxml.jackson.databind.node.ObjectNode body = Transport.JSON.createObjectNode();
    body.put("url", peer.toString());
    HttpRequest req =
        transport
            .longRequest("/v1/witness/peers")
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(Transport.JSON.writeValueAsBytes(body)))
            .build();
    JsonNode e = transport.sendJson(req).path("results").path(0);
    String detail =
        switch (e.path("outcome").asText()) {
          case "cosigned" -> e.path("delivered").asBoolean() ? "delivered" : "not delivered";
          case "fork" -> e.path("kind").asText();
          default -> e.path("reason").asText();
        };
    return new WitnessResult(
        e.path("peer").asText(),
        e.path("outcome").asText(),
        e.path("size").asLong(),
        e.path("previousSize").asLong(),
        detail);
  }

  /** This node's witness verifier key. */
  public dev.verity.log.note.VerifierKey witnessKey() throws IOException {
    return dev.verity.log.note.VerifierKey.parse(
        transport.getJson("/v1/witness").path("witness").asText());
  }

  private static dev.verity.log.bundle.ReceiptBundle receiptBundle(JsonNode n) throws IOException {
    com.fasterxml.jackson.databind.node.ObjectNode b = Transport.JSON.createObjectNode();
    b.put("format", dev.verity.log.bundle.BundleJson.FORMAT);
    for (String f : List.of("receipt", "logIndex", "treeSize", "inclusionProof", "checkpoint")) {
      b.set(f, n.get(f));
    }
    try {
      return dev.verity.log.bundle.BundleJson.parse(b.toString());
    } catch (RuntimeException e) {
      throw new IOException("node sent a malformed receipt: " + e.getMessage(), e);
    }
  }

  private static List<ModelSummary> summaries(JsonNode list) {
    List<ModelSummary> out = new ArrayList<>();
    for (JsonNode e : list.path("data")) {
      out.add(
          new ModelSummary(
              e.path("name").asText(),
              e.path("version").asText(),
              Digest.parse(e.path("digest").asText()),
              e.path("format").asText(),
              e.path("description").asText(""),
              e.path("license").asText(""),
              Instant.ofEpochSecond(e.path("created").asLong()),
              e.path("owned_by").asText(),
              e.path("totalSize").asLong(),
              e.path("files").asInt()));
    }
    return out;
  }

  @Override
  public void close() {
    transport.close();
  }

  @Override
  public String toString() {
    return "VerityClient[" + Objects.toString(transport.base()) + "]";
  }
}
