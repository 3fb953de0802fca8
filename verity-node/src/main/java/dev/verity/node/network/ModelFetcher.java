package dev.verity.node.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.verity.core.Digest;
import dev.verity.hub.manifest.ManifestFile;
import dev.verity.hub.manifest.SignedManifest;
import dev.verity.hub.store.ModelStore;
import dev.verity.settlement.ModelInfo;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies a model from a peer by manifest digest, trusting the peer with nothing: the manifest must
 * hash to the digest asked for, carry a valid signature by the publisher key ModelRegistry holds
 * for that digest, and every blob must hash to the digest and size the manifest names (the blob
 * store checks both before anything becomes visible). Only then is the manifest published locally.
 */
final class ModelFetcher {
  private static final Logger LOG = LoggerFactory.getLogger(ModelFetcher.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_MANIFEST_VIEW = 4 << 20;

  private final ModelStore store;
  private final HttpClient http;
  private final Duration timeout;

  ModelFetcher(ModelStore store, Duration timeout) {
    this.store = store;
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  /**
   * Fetches {@code onChain.digest()} from {@code peer} into the local store.
   *
   * @throws IOException naming what was wrong with the peer's answer
   */
  void fetch(URI peer, ModelInfo onChain) throws IOException {
    Digest digest = onChain.digest();
    SignedManifest sm = manifest(peer, digest);
    if (!sm.manifest().publisher().raw().equals(onChain.publisherKey())) {
      throw new IOException(
          "manifest "
              + digest
              + " from "
              + peer
              + " is signed by "
              + sm.manifest().publisher().keyId()
              + ", not by the publisher key ModelRegistry holds for it");
    }
    try {
      sm.verify();
    } catch (dev.verity.core.SignatureVerificationException e) {
      throw new IOException("manifest " + digest + " from " + peer + ": " + e.getMessage(), e);
    }
    for (ManifestFile f : sm.manifest().files()) {
      if (store.blobs().has(f.digest())) {
        continue;
      }
      HttpRequest req =
          HttpRequest.newBuilder(peer.resolve("/v1/blobs/" + f.digest()))
              .timeout(timeout.multipliedBy(6))
              .GET()
              .build();
      HttpResponse<InputStream> r = send(req, HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = r.body()) {
        if (r.statusCode() != 200) {
          throw new IOException(
              "peer " + peer + " answered " + r.statusCode() + " for blob " + f.digest());
        }
        store.blobs().put(in, f.digest(), f.size());
      } catch (dev.verity.core.VerityException e) {
        throw new IOException(
            "blob " + f.path() + " (" + f.digest() + ") from " + peer + ": " + e.getMessage(), e);
      }
    }
    try {
      store.publish(sm);
    } catch (dev.verity.core.VerityException e) {
      throw new IOException("cannot store manifest " + digest + ": " + e.getMessage(), e);
    }
    LOG.info(
        "fetched {}@{} ({}) from {}: {} file(s), {} bytes, publisher {}",
        sm.manifest().name(),
        sm.manifest().version(),
        digest,
        peer,
        sm.manifest().files().size(),
        sm.manifest().totalSize(),
        sm.manifest().publisher().keyId());
  }

  private SignedManifest manifest(URI peer, Digest digest) throws IOException {
    HttpRequest req =
        HttpRequest.newBuilder(peer.resolve("/v1/manifests/" + digest))
            .timeout(timeout)
            .GET()
            .build();
    HttpResponse<byte[]> r = send(req, HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() == 404) {
      throw new PeerLacksModelException("peer " + peer + " does not have " + digest);
    }
    if (r.statusCode() != 200) {
      throw new IOException("peer " + peer + " answered " + r.statusCode() + " for " + digest);
    }
    if (r.body().length > MAX_MANIFEST_VIEW) {
      throw new IOException("peer " + peer + " sent an oversized manifest for " + digest);
    }
    JsonNode view = JSON.readTree(r.body());
    SignedManifest sm;
    try {
      sm = SignedManifest.parse(JSON.writeValueAsBytes(view.path("envelope")));
    } catch (dev.verity.core.FormatException e) {
      throw new IOException("peer " + peer + " sent a malformed manifest: " + e.getMessage(), e);
    }
    if (!sm.digest().equals(digest)) {
      throw new IOException(
          "peer " + peer + " sent a manifest hashing to " + sm.digest() + ", asked for " + digest);
    }
    return sm;
  }

  /** The peer does not hold the model (yet): expected while a model spreads. */
  static final class PeerLacksModelException extends IOException {
    PeerLacksModelException(String message) {
      super(message);
    }
  }

  private <T> HttpResponse<T> send(HttpRequest req, HttpResponse.BodyHandler<T> h)
      throws IOException {
    try {
      return http.send(req, h);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while fetching " + req.uri(), e);
    }
  }
}
