package dev.verity.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verity.node.VerityNode;
import dev.verity.node.config.NodeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code verity infer --tier}: resolved on the client, stated, signed into the receipt. */
class InferTierCliTest {
  @TempDir static Path tmp;
  static VerityNode node;
  static String url;
  static Path input;

  @BeforeAll
  static void setUp() throws Exception {
    System.setProperty("verity.home", tmp.resolve("home").toString());
    Path shared = Path.of(System.getProperty("verity.shared", "../../shared")).toAbsolutePath();
    node = VerityNode.start(NodeConfig.ephemeral(tmp.resolve("node")));
    url = node.url().toString();
    Path key = tmp.resolve("publisher.key");
    assertThat(Cli.run("key", "generate", "--out", key.toString()).exit()).isZero();
    Cli.Result r =
        Cli.run(
            "model",
            "publish",
            shared.resolve("models/mnist/mnist-7.onnx").toString(),
            "--name",
            "mnist",
            "--version",
            "7",
            "--key",
            key.toString(),
            "--node",
            url);
    assertThat(r.exit()).as(r.err()).isZero();
    StringBuilder pgm = new StringBuilder("P2\n28 28\n255\n");
    for (int i = 0; i < 28 * 28; i++) {
      pgm.append((i * 37) % 256).append(i % 28 == 27 ? "\n" : " ");
    }
    input = tmp.resolve("digit.pgm");
    Files.writeString(input, pgm.toString());
  }

  @AfterAll
  static void tearDown() {
    node.close();
  }

  @Test
  void tierValueAtRisk_resolvedToCheapestTier_statedAndSigned() {
    Cli.Result r =
        Cli.run(
            "infer",
            "--model",
            "mnist@7",
            "--input",
            input.toString(),
            "--tier",
            "var:1000:100",
            "--node",
            url);
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("tier:        var:1000:100 -> replicate:3")
        .contains("P(detect) >= 0.962963");
    assertThat(r.out()).contains("signed tier: replicate:3");
  }

  @Test
  void tierBad_exitsWithUsageError_namingTheTier() {
    Cli.Result r =
        Cli.run(
            "infer",
            "--model",
            "mnist@7",
            "--input",
            input.toString(),
            "--tier",
            "sample:7",
            "--node",
            url);
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("sample:7");
  }
}
