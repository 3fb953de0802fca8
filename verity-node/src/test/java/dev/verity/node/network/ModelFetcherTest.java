package dev.verity.node.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.core.key.SigningKey;
import dev.verity.hub.manifest.ManifestFile;
import dev.verity.hub.manifest.SignedManifest;
import dev.verity.hub.publish.ModelPublisher;
import dev.verity.hub.publish.PublishOptions;
import dev.verity.hub.store.ModelStore;
import dev.verity.hub.store.StoreLimits;
import dev.verity.node.VerityNode;
import dev.verity.node.config.NodeConfig;
import dev.verity.receipt.eth.EthAddress;
import dev.verity.settlement.ModelInfo;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fetching a model from a real peer node, and from a peer that lies about it. */
class ModelFetcherTest {
  @TempDir Path tmp;

  VerityNode peer;
  SigningKey publisher;
  SignedManifest mnist;
  ModelStore local;
  HttpServer liar;

  static Path shared() {
    String s = System.getProperty("verity.shared");
    return s != null ? Path.of(s) : Path.of("../../shared");
  }

  @BeforeEach
  void setUp() throws Exception {
    peer = VerityNode.start(NodeConfig.ephemeral(tmp.resolve("peer")));
    publisher = SigningKey.generate();
    Path model = shared().resolve("models/mnist/mnist-7.onnx");
    mnist = ModelPublisher.createManifest(model, "mnist", "7", PublishOptions.none(), publisher);
    for (ManifestFile f : mnist.manifest().files()) {
      try (InputStream in = Files.newInputStream(model)) {
        peer.services().blobs().put(in, f.digest(), f.size());
      }
    }
    peer.services().models().publish(mnist);
    local = new ModelStore(tmp.resolve("local"), StoreLimits.defaults());
  }

  @AfterEach
  void tearDown() {
    if (liar != null) {
      liar.stop(0);
    }
    peer.close();
  }

  ModelInfo onChain(Digest digest, SigningKey key) {
    return new ModelInfo(
        digest,
        EthAddress.parse("0x" + "11".repeat(20)),
        key.verifyingKey().raw(),
        "mnist",
        "7",
        Instant.EPOCH);
  }

  /** A peer that relays the honest peer but flips one byte of every blob. */
  URI lyingPeer(boolean tamperBlobs, Digest answerManifestFor) throws IOException {
    HttpClient http = HttpClient.newHttpClient();
    liar = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    liar.createContext(
        "/",
        ex -> {
          String path = ex.getRequestURI().getPath();
          if (answerManifestFor != null && path.startsWith("/v1/manifests/")) {
            path = "/v1/manifests/" + answerManifestFor;
          }
          try {
            HttpResponse<byte[]> r =
                http.send(
                    HttpRequest.newBuilder(peer.url().resolve(path)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            byte[] body = r.body();
            if (tamperBlobs && path.startsWith("/v1/blobs/")) {
              body[body.length / 2] ^= 1;
            }
            ex.sendResponseHeaders(r.statusCode(), body.length);
            ex.getResponseBody().write(body);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          ex.close();
        });
    liar.start();
    return URI.create("http://127.0.0.1:" + liar.getAddress().getPort());
  }

  @Test
  void fetch_honestPeer_storesManifestAndBlobs() throws Exception {
    new ModelFetcher(local, Duration.ofSeconds(10))
        .fetch(peer.url(), onChain(mnist.digest(), publisher));
    assertThat(local.get(mnist.digest())).isPresent();
    assertThat(local.missingBlobs(mnist.manifest())).isEmpty();
    local.verifyModel(mnist.digest());
  }

  @Test
  void fetch_signedByAnotherKeyThanOnChain_rejected_nothingStored() {
    ModelInfo other = onChain(mnist.digest(), SigningKey.generate());
    assertThatThrownBy(
            () -> new ModelFetcher(local, Duration.ofSeconds(10)).fetch(peer.url(), other))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("not by the publisher key ModelRegistry holds");
    assertThat(local.get(mnist.digest())).isEmpty();
    assertThat(local.missingBlobs(mnist.manifest())).hasSize(1);
  }

  @Test
  void fetch_tamperedBlob_rejected_nothingStored() throws Exception {
    URI lying = lyingPeer(true, null);
    assertThatThrownBy(
            () ->
                new ModelFetcher(local, Duration.ofSeconds(10))
                    .fetch(lying, onChain(mnist.digest(), publisher)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("mnist-7.onnx");
    assertThat(local.get(mnist.digest())).isEmpty();
    assertThat(local.blobs().has(mnist.manifest().files().getFirst().digest())).isFalse();
  }

  @Test
  void fetch_manifestOfAnotherModel_rejected() throws Exception {
    Digest asked = new Digest(Bytes.copyOf(new byte[32]));
    URI lying = lyingPeer(false, mnist.digest());
    assertThatThrownBy(
            () ->
                new ModelFetcher(local, Duration.ofSeconds(10))
                    .fetch(lying, onChain(asked, publisher)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("hashing to " + mnist.digest())
        .hasMessageContaining("asked for " + asked);
    assertThat(local.list()).isEmpty();
  }

  @Test
  void fetch_peerWithoutTheModel_saysSo() {
    Digest absent = new Digest(Bytes.copyOf(new byte[32]));
    assertThatThrownBy(
            () ->
                new ModelFetcher(local, Duration.ofSeconds(10))
                    .fetch(peer.url(), onChain(absent, publisher)))
        .isInstanceOf(ModelFetcher.PeerLacksModelException.class)
        .hasMessageContaining("does not have " + absent);
  }
}
