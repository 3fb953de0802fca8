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
