package dev.verity.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.client.VerityApiException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TransportTest {
  static final HttpRequest REQ =
      HttpRequest.newBuilder(URI.create("http://127.0.0.1:7070/v1/blobs/x")).GET().build();

  @Test
  void problem_readsProblemJsonMembers() {
    byte[] body =
        ("{\"type\":\"urn:verity:problem:not-found\",\"title\":\"Blob not found\",\"status\":404,"
                + "\"detail\":\"blob sha256:ab is not in the store\",\"instance\":\"/v1/blobs/x\"}")
            .getBytes(StandardCharsets.UTF_8);
    VerityApiException e = Transport.problem(404, body, REQ);
    assertThat(e.status()).isEqualTo(404);
    assertThat(e.type()).isEqualTo("urn:verity:problem:not-found");
    assertThat(e.title()).isEqualTo("Blob not found");
    assertThat(e.getMessage()).isEqualTo("blob sha256:ab is not in the store");
  }

  @Test
  void problem_withoutJson_namesTheCall() {
    VerityApiException e =
        Transport.problem(502, "<html>bad gateway</html>".getBytes(StandardCharsets.UTF_8), REQ);
    assertThat(e.status()).isEqualTo(502);
    assertThat(e.getMessage()).isEqualTo("GET /v1/blobs/x failed with HTTP 502");
  }

  @Test
  void base_mustBeHttp() {
    assertThatThrownBy(
            () ->
                new Transport(URI.create("ftp://x"), Duration.ofSeconds(1), Duration.ofSeconds(1)))
        .hasMessage("node URL must be http:// or https://, got ftp://x");
  }

  @Test
  void uri_dropsTrailingSlash_andEncodesSegments() {
    Transport t =
        new Transport(URI.create("http://h:1/"), Duration.ofSeconds(1), Duration.ofSeconds(1));
    assertThat(t.uri("/v1/models").toString()).isEqualTo("http://h:1/v1/models");
    assertThat(Transport.encode("a b/c")).isEqualTo("a%20b%2Fc");
  }

  @Test
  void partFile_isNextToTarget() {
    assertThat(BlobDownload.partFile(Path.of("/d/model.bin")))
        .isEqualTo(Path.of("/d/model.bin.part"));
  }
}
