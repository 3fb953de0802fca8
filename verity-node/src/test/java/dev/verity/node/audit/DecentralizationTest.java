package dev.verity.node.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.node.VerityNode;
import dev.verity.node.config.NodeConfig;
import dev.verity.node.http.Json;
import dev.verity.receipt.eth.EthAddress;
import dev.verity.settlement.NodeInfo;
import java.math.BigInteger;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DecentralizationTest {
  static final BigInteger ETH = BigInteger.TEN.pow(18);
  static final Digest MODEL = Digest.of(Bytes.utf8("m"));

  static EthAddress addr(int i) {
    byte[] b = new byte[20];
    b[19] = (byte) i;
    return new EthAddress(Bytes.copyOf(b));
  }

  static NodeInfo node(int id, int operator, long eth, boolean banned, boolean serves) {
    return new NodeInfo(
        addr(100 + id),
        addr(operator),
        "http://127.0.0.1:" + (9000 + id),
        ETH.multiply(BigInteger.valueOf(eth)),
        BigInteger.ZERO,
        Instant.EPOCH,
        Instant.EPOCH,
        Instant.EPOCH,
        banned,
        serves ? List.of(MODEL) : List.of());
  }

  // Operator 1 holds 6 of 10 ETH of compute: one operator is a majority of compute. With a 30%
  // cap its audit weight is 3, so audits need two operators for a majority.
  static List<NodeInfo> registry() {
    List<NodeInfo> n = new ArrayList<>();
    n.add(node(1, 1, 4, false, true));
    n.add(node(2, 1, 2, false, true));
    n.add(node(3, 2, 2, false, true));
    n.add(node(4, 3, 1, false, true));
    n.add(node(5, 4, 1, false, false));
    n.add(node(6, 5, 50, true, true));
    return n;
  }

  @Test
  void dominantOperator_computeCoefficientOne_capRaisesAuditCoefficient() {
    Decentralization d = Decentralization.of(registry(), 3_000);
    assertThat(d.compute().nakamoto().overOneHalf()).isEqualTo(1);
    assertThat(d.compute().nakamoto().operators()).isEqualTo(3);
    assertThat(d.compute().fraction(addr(1)))
        .isEqualTo(6.0 / 9.0, org.assertj.core.data.Offset.offset(1e-12));
    // Banned stake counts nowhere; operator 4 stakes but serves nothing: audit only.
    assertThat(d.audit().weightByOperator()).doesNotContainKey(addr(5));
    assertThat(d.audit().weightByOperator().get(addr(1)))
        .isEqualTo(ETH.multiply(BigInteger.valueOf(3)));
    assertThat(d.audit().nakamoto().overOneHalf()).isEqualTo(2);
    assertThat(d.audit().nakamoto().operators()).isEqualTo(4);
    assertThat(d.prometheus())
        .contains("verity_nakamoto_coefficient{kind=\"compute\"} 1\n")
        .contains("verity_nakamoto_coefficient{kind=\"audit\"} 2\n");
  }

  @Test
  void endpoints_serveCoefficientsAndMetrics(@TempDir Path dir) throws Exception {
    try (VerityNode node =
        VerityNode.start(
            NodeConfig.ephemeral(dir), List.of(AuditFeature.over(() -> registry(), 3_000)))) {
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(node.url().resolve("/v1/network/decentralization")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      JsonNode j = Json.MAPPER.readTree(r.body());
      assertThat(j.at("/compute/nakamotoOneHalf").asInt()).isEqualTo(1);
      assertThat(j.at("/audit/nakamotoOneHalf").asInt()).isEqualTo(2);
      assertThat(j.at("/compute/shares/0/operator").asText()).isEqualTo(addr(1).toString());
      HttpResponse<String> m =
          http.send(
              HttpRequest.newBuilder(node.url().resolve("/metrics")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(m.statusCode()).isEqualTo(200);
      assertThat(m.body()).contains("verity_nakamoto_coefficient{kind=\"audit\"} 2");
    }
  }

  @Test
  void noChain_decentralizationIs503_metricsStillUp(@TempDir Path dir) throws Exception {
    try (VerityNode node = VerityNode.start(NodeConfig.ephemeral(dir))) {
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(node.url().resolve("/v1/network/decentralization")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(r.body()).contains("chain-rpc-url");
      HttpResponse<String> m =
          http.send(
              HttpRequest.newBuilder(node.url().resolve("/metrics")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(m.body()).contains("verity_up 1").doesNotContain("nakamoto");
    }
  }
}
