package dev.verity.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.node.inference.TraceRule;
import dev.verity.receipt.VerificationPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeConfigTest {
  @TempDir Path dir;

  @Test
  void defaults_bindLoopback() {
    NodeConfig c = NodeConfig.load(Optional.empty(), Map.of());
    assertThat(c.host()).isEqualTo("127.0.0.1");
    assertThat(c.port()).isEqualTo(7070);
  }

  @Test
  void load_envOverridesFile() throws Exception {
    Path f = dir.resolve("node.properties");
    Files.writeString(f, "port=8080\nhost=127.0.0.2\nmax-upload-size=512MiB\ndata-dir=/tmp/x\n");
    NodeConfig c =
        NodeConfig.load(Optional.of(f), Map.of("VERITY_NODE_PORT", "9090", "UNRELATED", "1"));
    assertThat(c.port()).isEqualTo(9090);
    assertThat(c.host()).isEqualTo("127.0.0.2");
    assertThat(c.maxUploadBytes()).isEqualTo(512L << 20);
    assertThat(c.dataDir()).isEqualTo(Path.of("/tmp/x"));
  }

  @Test
  void load_jsonFile() throws Exception {
    Path f = dir.resolve("node.json");
    Files.writeString(
        f, "{\"port\": 0, \"max-json-size\": \"1KiB\", \"shutdown-grace-seconds\": 3}");
    NodeConfig c = NodeConfig.load(Optional.of(f), Map.of());
    assertThat(c.port()).isZero();
    assertThat(c.maxJsonBytes()).isEqualTo(1024);
    assertThat(c.shutdownGrace().toSeconds()).isEqualTo(3);
  }

  @Test
  void load_badPortInEnv_namesVariable() {
    assertThatThrownBy(() -> NodeConfig.load(Optional.empty(), Map.of("VERITY_NODE_PORT", "http")))
        .isInstanceOf(NodeConfigException.class)
        .hasMessage("environment variable VERITY_NODE_PORT: 'http' is not a port number (0-65535)");
    assertThatThrownBy(() -> NodeConfig.load(Optional.empty(), Map.of("VERITY_NODE_PORT", "70000")))
        .hasMessageContaining("'70000' is not a port number");
  }

  @Test
  void load_unknownKeyInFile_namesKeyAndFile() throws Exception {
    Path f = dir.resolve("node.properties");
    Files.writeString(f, "prot=8080\n");
    assertThatThrownBy(() -> NodeConfig.load(Optional.of(f), Map.of()))
        .isInstanceOf(NodeConfigException.class)
        .hasMessageContaining("config file " + f + ": unknown setting 'prot'");
  }

  @Test
  void load_badSize_namesSetting() throws Exception {
    Path f = dir.resolve("node.properties");
    Files.writeString(f, "max-upload-size=lots\n");
    assertThatThrownBy(() -> NodeConfig.load(Optional.of(f), Map.of()))
        .hasMessageContaining("max-upload-size: 'lots' is not a size");
  }

  @Test
  void inferenceTrace_defaultsToAuto_deferredOnlyForPolicyNone() throws Exception {
    NodeConfig c = NodeConfig.load(Optional.empty(), Map.of());
    assertThat(c.inferenceTrace()).isEqualTo(TraceRule.AUTO);
    assertThat(c.inferenceTrace().eager(VerificationPolicy.NONE)).isFalse();
    assertThat(c.inferenceTrace().eager(VerificationPolicy.parse("sample:0.01"))).isTrue();
    assertThat(c.inferenceTrace().eager(VerificationPolicy.parse("replicate:2"))).isTrue();
    Path f = dir.resolve("trace.properties");
    Files.writeString(f, "inference-trace=always\n");
    NodeConfig always = NodeConfig.load(Optional.of(f), Map.of());
    assertThat(always.inferenceTrace()).isEqualTo(TraceRule.ALWAYS);
    assertThat(always.inferenceTrace().eager(VerificationPolicy.NONE)).isTrue();
    assertThat(
            NodeConfig.load(Optional.of(f), Map.of("VERITY_NODE_INFERENCE_TRACE", "auto"))
                .inferenceTrace())
        .isEqualTo(TraceRule.AUTO);
    assertThatThrownBy(
            () -> NodeConfig.load(Optional.empty(), Map.of("VERITY_NODE_INFERENCE_TRACE", "never")))
        .isInstanceOf(NodeConfigException.class)
        .hasMessage(
            "environment variable VERITY_NODE_INFERENCE_TRACE: inference trace must be 'auto' or"
                + " 'always', got 'never'");
  }

  @Test
  void load_missingFile_saysSo() {
    Path f = dir.resolve("nope.json");
    assertThatThrownBy(() -> NodeConfig.load(Optional.of(f), Map.of()))
        .hasMessage("config file " + f + " does not exist or is not a file");
  }

  @Test
  void load_malformedJson_saysSo() throws Exception {
    Path f = dir.resolve("node.json");
    Files.writeString(f, "{port: ");
    assertThatThrownBy(() -> NodeConfig.load(Optional.of(f), Map.of()))
        .hasMessageContaining("is not valid JSON");
  }

  @Test
  void parseSize_units() {
    assertThat(NodeConfig.parseSize("10")).isEqualTo(10);
    assertThat(NodeConfig.parseSize("2KiB")).isEqualTo(2048);
    assertThat(NodeConfig.parseSize("3 MiB")).isEqualTo(3L << 20);
    assertThat(NodeConfig.parseSize("1GiB")).isEqualTo(1L << 30);
  }

  @Test
  void receiptBatchLinger_defaultsTo2ms_andIsBounded() throws Exception {
    assertThat(NodeConfig.load(Optional.empty(), Map.of()).receiptBatchLinger())
        .isEqualTo(Duration.ofMillis(2));
    Path f = dir.resolve("linger.properties");
    Files.writeString(f, "receipt-batch-linger-ms=0\n");
    assertThat(NodeConfig.load(Optional.of(f), Map.of()).receiptBatchLinger()).isZero();
    assertThat(
            NodeConfig.load(Optional.of(f), Map.of("VERITY_NODE_RECEIPT_BATCH_LINGER_MS", "7"))
                .receiptBatchLinger())
        .isEqualTo(Duration.ofMillis(7));
    assertThatThrownBy(
            () ->
                NodeConfig.load(
                    Optional.empty(), Map.of("VERITY_NODE_RECEIPT_BATCH_LINGER_MS", "5000")))
        .isInstanceOf(NodeConfigException.class)
        .hasMessage(
            "environment variable VERITY_NODE_RECEIPT_BATCH_LINGER_MS: receipt batch linger must"
                + " be between 0 and 1000 ms, got 5000 ms");
    assertThatThrownBy(
            () ->
                NodeConfig.load(
                    Optional.empty(), Map.of("VERITY_NODE_RECEIPT_BATCH_LINGER_MS", "-1")))
        .hasMessageContaining("'-1' is not a number of milliseconds");
  }

  @Test
  void trustedWitnesses_parseCosignatureKeys_andNameABadOne() throws Exception {
    var w1 =
        dev.verity.log.note.NoteSigner.generate(
            "w1", dev.verity.log.note.VerifierKey.COSIGNATURE_V1, new java.security.SecureRandom());
    var w2 =
        dev.verity.log.note.NoteSigner.generate(
            "w2", dev.verity.log.note.VerifierKey.COSIGNATURE_V1, new java.security.SecureRandom());
    assertThat(NodeConfig.load(Optional.empty(), Map.of()).trustedWitnesses()).isEmpty();
    NodeConfig c =
        NodeConfig.load(
            Optional.empty(),
            Map.of(
                "VERITY_NODE_TRUSTED_WITNESSES",
                w1.verifierKey().encode() + ", " + w2.verifierKey().encode()));
    assertThat(c.trustedWitnesses()).containsExactly(w1.verifierKey(), w2.verifierKey());
    assertThatThrownBy(
            () ->
                NodeConfig.load(
                    Optional.empty(), Map.of("VERITY_NODE_TRUSTED_WITNESSES", "w1+nothex+AAAA")))
        .isInstanceOf(NodeConfigException.class)
        .hasMessageContaining("VERITY_NODE_TRUSTED_WITNESSES: 'w1+nothex+AAAA' is not a witness");
    var ed =
        dev.verity.log.note.NoteSigner.generate(
            "log", dev.verity.log.note.VerifierKey.ED25519, new java.security.SecureRandom());
    assertThatThrownBy(
            () ->
                NodeConfig.load(
                    Optional.empty(),
                    Map.of("VERITY_NODE_TRUSTED_WITNESSES", ed.verifierKey().encode())))
        .hasMessageContaining("is not a cosignature/v1 key (type 0x04)");
  }
}
