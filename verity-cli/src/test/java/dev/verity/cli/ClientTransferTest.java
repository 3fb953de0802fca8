package dev.verity.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.verity.client.VerityApiException;
import dev.verity.client.VerityClient;
import dev.verity.core.Digest;
import dev.verity.node.VerityNode;
import dev.verity.node.config.NodeConfig;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client SDK's transfers against a real node: resume after a cut, verified downloads. */
class ClientTransferTest {
  @TempDir Path dir;

  @Test
  void upload_cutMoreOftenThanTheAttemptLimit_keepsResumingWhileItProgresses() throws Exception {
    byte[] content = new byte[400_000];
    new Random(2).nextBytes(content);
    Digest d = Digest.of(content);
    Path file = dir.resolve("blob.bin");
    Files.write(file, content);
    try (VerityNode node = VerityNode.start(NodeConfig.ephemeral(dir.resolve("node")));
        CuttingProxy proxy = new CuttingProxy(node.url().getPort(), 48_000);
        VerityClient client = VerityClient.connect(java.net.URI.create(proxy.url()))) {
      client.uploadBlob(d, file, (done, total) -> {});
      // Every connection was cut after 48 kB, so the upload took far more connections than the
      // five failed attempts the client tolerates in a row.
      assertThat(proxy.cuts()).isGreaterThan(5);
      assertThat(client.blobSize(d)).hasValue(content.length);
    }
  }

  /**
   * A loopback TCP proxy that forwards each connection to the node and cuts it after the client
   * sent {@code limit} bytes, as a node's request-time limit cuts a long upload.
   */
  static final class CuttingProxy implements AutoCloseable {
    private final java.net.ServerSocket server = new java.net.ServerSocket(0);
    private final java.util.concurrent.atomic.AtomicInteger cuts =
        new java.util.concurrent.atomic.AtomicInteger();

    CuttingProxy(int nodePort, int limit) throws java.io.IOException {
      Thread.ofVirtual()
          .start(
              () -> {
                while (!server.isClosed()) {
                  try {
                    Socket client = server.accept();
                    Socket upstream = new Socket("127.0.0.1", nodePort);
                    Thread.ofVirtual().start(() -> pump(upstream, client, Long.MAX_VALUE));
                    Thread.ofVirtual().start(() -> pump(client, upstream, limit));
                  } catch (java.io.IOException e) {
                    return;
                  }
                }
              });
    }

    private void pump(Socket from, Socket to, long limit) {
      byte[] buf = new byte[8192];
      long total = 0;
      try (from;
          to) {
        int n;
        while ((n = from.getInputStream().read(buf)) > 0) {
          int k = (int) Math.min(n, limit - total);
          to.getOutputStream().write(buf, 0, k);
          total += k;
          if (total >= limit) {
            cuts.incrementAndGet();
            return;
          }
        }
      } catch (java.io.IOException e) {
        // one side went away; closing both ends is all there is to do
      }
    }

    String url() {
      return "http://127.0.0.1:" + server.getLocalPort();
    }

    int cuts() {
      return cuts.get();
    }

    @Override
    public void close() throws java.io.IOException {
      server.close();
    }
  }

  @Test
  void upload_afterConnectionCutMidway_resumesFromNodeOffset() throws Exception {
    byte[] content = new byte[300_000];
    new Random(1).nextBytes(content);
    Digest d = Digest.of(content);
    Path file = dir.resolve("blob.bin");
    Files.write(file, content);
    try (VerityNode node = VerityNode.start(NodeConfig.ephemeral(dir.resolve("node")));
        VerityClient client = VerityClient.connect(node.url())) {
      int sent = 100_000;
      try (Socket s = new Socket(node.url().getHost(), node.url().getPort())) {
        OutputStream out = s.getOutputStream();
        out.write(
            ("PATCH /v1/uploads/"
                    + d
                    + " HTTP/1.1\r\nHost: x\r\nUpload-Offset: 0\r\n"
                    + "Upload-Length: "
                    + content.length
                    + "\r\nContent-Length: "
                    + content.length
                    + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(content, 0, sent);
        out.flush();
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> client.uploadOffset(d) == sent);
      assertThat(client.blobSize(d)).isEmpty();
      List<Long> seen = new ArrayList<>();
      client.uploadBlob(d, file, (done, total) -> seen.add(done));
      // The client resumed at the node's offset instead of sending everything again.
      assertThat(seen.get(0)).isGreaterThan(sent);
      assertThat(seen.get(seen.size() - 1)).isEqualTo(content.length);
      assertThat(client.blobSize(d)).hasValue(content.length);
      Path back = dir.resolve("back.bin");
      client.downloadBlob(d, back, (a, b) -> {});
      assertThat(Files.readAllBytes(back)).isEqualTo(content);
    }
  }

  @Test
  void download_unknownDigest_isApiExceptionWithProblemFields() throws Exception {
    try (VerityNode node = VerityNode.start(NodeConfig.ephemeral(dir.resolve("node")));
        VerityClient client = VerityClient.connect(node.url())) {
      Digest d = Digest.of(new byte[] {9});
      Path target = dir.resolve("x.bin");
      assertThatThrownBy(() -> client.downloadBlob(d, target, (a, b) -> {}))
          .isInstanceOfSatisfying(
              VerityApiException.class,
              e -> {
                assertThat(e.status()).isEqualTo(404);
                assertThat(e.title()).isEqualTo("Blob not found");
                assertThat(e.detail()).isEqualTo("blob " + d + " is not in the store");
              });
      assertThat(target).doesNotExist();
      assertThat(dir.resolve("x.bin.part")).doesNotExist();
    }
  }

  @Test
  void upload_contentNotMatchingDigest_isApiException422() throws Exception {
    Path file = dir.resolve("f.bin");
    Files.writeString(file, "hello");
    Digest wrong = Digest.of("other".getBytes(StandardCharsets.UTF_8));
    try (VerityNode node = VerityNode.start(NodeConfig.ephemeral(dir.resolve("node")));
        VerityClient client = VerityClient.connect(node.url())) {
      assertThatThrownBy(() -> client.uploadBlob(wrong, file, (a, b) -> {}))
          .isInstanceOfSatisfying(
              VerityApiException.class, e -> assertThat(e.status()).isEqualTo(422))
          .hasMessageContaining(wrong.toString());
      assertThat(client.blobSize(wrong)).isEmpty();
    }
  }

  @Test
  void upload_overNodeLimit_isApiException413AndNothingKept() throws Exception {
    byte[] content = new byte[70_000];
    new Random(2).nextBytes(content);
    Path file = dir.resolve("big.bin");
    Files.write(file, content);
    Digest d = Digest.of(content);
    try (VerityNode node =
            VerityNode.start(NodeConfig.ephemeral(dir.resolve("node")).withMaxUploadBytes(65_536));
        VerityClient client = VerityClient.connect(node.url())) {
      assertThatThrownBy(() -> client.uploadBlob(d, file, (a, b) -> {}))
          .isInstanceOfSatisfying(
              VerityApiException.class,
              e -> {
                assertThat(e.status()).isEqualTo(413);
                assertThat(e.detail())
                    .isEqualTo(
                        "blob "
                            + d
                            + " is 70000 bytes; this node accepts blobs of at most 65536"
                            + " bytes");
              });
      assertThat(client.blobSize(d)).isEmpty();
      assertThat(client.uploadOffset(d)).isZero();
    }
  }
}
