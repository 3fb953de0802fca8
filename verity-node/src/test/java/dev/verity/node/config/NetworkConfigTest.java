package dev.verity.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.core.Digest;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetworkConfigTest {
  @TempDir Path dir;

  static final String D1 = "sha256:" + "ab".repeat(32);
  static final String D2 = "sha256:" + "cd".repeat(32);

  @Test
  void defaults_networkIsOff() {
    NodeConfig c = NodeConfig.load(Optional.empty(), Map.of());
    assertThat(c.network().enabled()).isFalse();
    assertThat(c.network()).isEqualTo(NetworkConfig.NONE);
  }

  @Test
  void load_fileAndEnv_setEveryNetworkKey() throws Exception {
    Path f = dir.resolve("node.properties");
    Files.writeString(
        f,
        "chain-rpc-url=http://127.0.0.1:8545\n"
            + "deployment-file=/tmp/d.json\n"
            + "operator-key-file=/tmp/op.key\n"
            + "stake-wei=2000000000000000000\n"
            + "heartbeat-interval-seconds=5\n"
            + "anchor-interval-seconds=7\n"
            + "serve-models="
            + D1
            + ", "
            + D2
            + "\n"
            + "peers=http://127.0.0.1:7001/,http://127.0.0.1:7002\n");
    NodeConfig c =
        NodeConfig.load(
            Optional.of(f), Map.of("VERITY_NODE_ADVERTISE_URL", "http://127.0.0.1:9999/"));
    NetworkConfig n = c.network();
    assertThat(n.enabled()).isTrue();
    assertThat(n.deployment()).isEqualTo(Path.of("/tmp/d.json"));
    assertThat(n.operatorKey()).isEqualTo(Path.of("/tmp/op.key"));
    assertThat(n.stakeWei()).isEqualTo(new BigInteger("2000000000000000000"));
    assertThat(n.heartbeatInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(n.anchorInterval()).isEqualTo(Duration.ofSeconds(7));
    assertThat(n.serveModels()).containsExactly(Digest.parse(D1), Digest.parse(D2));
    assertThat(n.peers())
        .containsExactly(URI.create("http://127.0.0.1:7001"), URI.create("http://127.0.0.1:7002"));
    assertThat(n.advertise()).contains(URI.create("http://127.0.0.1:9999"));
  }

  @Test
  void load_badDigest_namesTheSetting() {
    assertThatThrownBy(
            () -> NodeConfig.load(Optional.empty(), Map.of("VERITY_NODE_SERVE_MODELS", "mnist")))
        .isInstanceOf(NodeConfigException.class)
        .hasMessageContaining("VERITY_NODE_SERVE_MODELS")
        .hasMessageContaining("not a manifest digest");
  }

  @Test
  void load_zeroHeartbeat_rejected() {
    assertThatThrownBy(
            () ->
                NodeConfig.load(
                    Optional.empty(), Map.of("VERITY_NODE_HEARTBEAT_INTERVAL_SECONDS", "0")))
        .isInstanceOf(NodeConfigException.class)
        .hasMessageContaining("positive");
  }

  @Test
  void enabledWithoutDeployment_saysWhatIsMissing() {
    NetworkConfig n = NetworkConfig.NONE.with("chain-rpc-url", "http://127.0.0.1:8545");
    assertThatThrownBy(n::deployment).hasMessageContaining("deployment-file must be set");
    assertThat(List.of(n.enabled())).containsExactly(true);
  }

  @Test
  void load_disputeSettings_parsedAndAuditOffByDefault() throws Exception {
    Path f = dir.resolve("disputes.properties");
    Files.writeString(
        f,
        "chain-rpc-url=http://127.0.0.1:8545\n"
            + "deployment-file=/tmp/d.json\n"
            + "operator-key-file=/tmp/op.key\n"
            + "dispute-manager=0x"
            + "12".repeat(20)
            + "\n");
    NetworkConfig n = NodeConfig.load(Optional.of(f), Map.of()).network();
    assertThat(n.disputeManager()).isEqualTo("0x" + "12".repeat(20));
    assertThat(n.auditEnabled()).isFalse();
    Files.writeString(f, "audit-enabled=true\n", java.nio.file.StandardOpenOption.APPEND);
    assertThat(NodeConfig.load(Optional.of(f), Map.of()).network().auditEnabled()).isTrue();
  }

  @Test
  void load_badDisputeSettings_rejectedWithTheSetting() throws Exception {
    Path f = dir.resolve("bad.properties");
    Files.writeString(f, "audit-enabled=yes\n");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> NodeConfig.load(Optional.of(f), Map.of()))
        .isInstanceOf(NodeConfigException.class)
        .hasMessageContaining("audit-enabled");
    Files.writeString(f, "dispute-manager=0x1234\n");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> NodeConfig.load(Optional.of(f), Map.of()))
        .isInstanceOf(NodeConfigException.class)
        .hasMessageContaining("dispute-manager");
  }
}
