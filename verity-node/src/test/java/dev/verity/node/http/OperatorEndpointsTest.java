package dev.verity.node.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.verity.node.VerityNode;
import dev.verity.node.config.NodeConfig;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Endpoints that make the node fetch a caller-named URL answer only on loopback, so a node bound to
 * a public address is not a proxy into its own network; read-only endpoints stay public.
 */
class OperatorEndpointsTest {
  @TempDir Path dir;
  final HttpClient http = HttpClient.newHttpClient();

  /** An address of this machine that is not loopback, if it has one. */
  static Optional<InetAddress> externalAddress() throws Exception {
    return NetworkInterface.networkInterfaces()
        .filter(
            i -> {
              try {
                return i.isUp() && !i.isLoopback();
              } catch (java.net.SocketException e) {
                return false;
              }
            })
        .flatMap(NetworkInterface::inetAddresses)
        .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress())
        .findFirst();
  }

  HttpResponse<String> post(URI base, String path, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(base.resolve(path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void operatorActions_refusedFromAnotherAddress_answeredOnLoopback() throws Exception {
    Optional<InetAddress> external = externalAddress();
    assumeTrue(external.isPresent(), "this machine has no non-loopback IPv4 address");
    try (VerityNode node =
        VerityNode.start(NodeConfig.ephemeral(dir.resolve("node")).withHost("0.0.0.0"))) {
      int port = node.url().getPort();
      URI outside = URI.create("http://" + external.get().getHostAddress() + ":" + port);
      URI local = URI.create("http://127.0.0.1:" + port);
      String peer = "{\"url\": \"http://10.0.0.1:9\"}";

      for (String[] op :
          new String[][] {
            {"/v1/witness/peers", peer, "witnessing a peer"},
            {"/v1/witness/run", "{}", "witnessing the configured peers"},
            {"/v1/audit", "{\"peer\": \"http://10.0.0.1:9\", \"requestId\": \"r1\"}", "auditing"}
          }) {
        HttpResponse<String> r = post(outside, op[0], op[1]);
        assertThat(r.statusCode()).as(op[0]).isEqualTo(403);
        JsonNode p = Json.MAPPER.readTree(r.body());
        assertThat(p.get("type").asText()).isEqualTo("urn:verity:problem:forbidden");
        assertThat(p.get("detail").asText()).startsWith(op[2]).contains("loopback");
      }
      // The same caller may read: public endpoints are not affected.
      HttpResponse<String> info =
          http.send(
              HttpRequest.newBuilder(outside.resolve("/v1/witness")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(info.statusCode()).isEqualTo(200);
      // On loopback the operator action is answered (here: the peer cannot be reached, which is
      // reported as a failed witnessing, not a refusal).
      HttpResponse<String> r = post(local, "/v1/witness/run", "{}");
      assertThat(r.statusCode()).isEqualTo(200);
    }
  }
}
