package dev.verity.settlement.evm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verity.settlement.Deployment;
import dev.verity.settlement.anvil.AnvilProcess;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeployMainTest {

  @Test
  void deploy_withKeyFile_writesADeploymentThatClientsCanUse(@TempDir Path dir) throws Exception {
    try (AnvilProcess anvil = AnvilProcess.start()) {
      Path key = dir.resolve("deployer.key");
      TestChain.key(0).save(key);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
          .isEqualTo("rw-------");
      Path out = dir.resolve("deployment.json");
      ByteArrayOutputStream stdout = new ByteArrayOutputStream();
      ByteArrayOutputStream stderr = new ByteArrayOutputStream();
      int status =
          DeployMain.run(
              new String[] {
                "--rpc",
                anvil.rpcUrl(),
                "--key-file",
                key.toString(),
                "--out",
                out.toString(),
                "--min-stake-wei",
                "5",
                "--slash-reward-bps",
                "2500"
              },
              new PrintStream(stdout, true, StandardCharsets.UTF_8),
              new PrintStream(stderr, true, StandardCharsets.UTF_8));
      assertThat(status).as(stderr.toString(StandardCharsets.UTF_8)).isZero();
      Deployment d = Deployment.read(out);
      assertThat(d.parameters().minStakeWei()).isEqualTo(5);
      assertThat(d.parameters().slashRewardBps()).isEqualTo(2500);
      String secretHex = Files.readString(key).strip();
      assertThat(stdout.toString(StandardCharsets.UTF_8) + stderr.toString(StandardCharsets.UTF_8))
          .doesNotContain(secretHex);
      try (EvmSettlement s = EvmSettlement.connect(anvil.rpcUrl(), d, TestChain.key(3))) {
        assertThat(s.nodes()).isEmpty();
      }
    }
  }

  @Test
  void deploy_keyFileReadableByOthers_isRefused(@TempDir Path dir) throws Exception {
    Path key = dir.resolve("deployer.key");
    TestChain.key(0).save(key);
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    int status =
        DeployMain.run(
            new String[] {
              "--rpc",
              "http://127.0.0.1:1",
              "--key-file",
              key.toString(),
              "--out",
              dir.resolve("d.json").toString()
            },
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(stderr, true, StandardCharsets.UTF_8));
    assertThat(status).isEqualTo(2);
    assertThat(stderr.toString(StandardCharsets.UTF_8))
        .startsWith("deploy: ")
        .contains(key.toString());
    assertThat(dir.resolve("d.json")).doesNotExist();
  }

  @Test
  void deploy_unknownOption_isRefused() {
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    int status =
        DeployMain.run(
            new String[] {"--private-key", "abc"},
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(stderr, true, StandardCharsets.UTF_8));
    assertThat(status).isEqualTo(2);
    assertThat(stderr.toString(StandardCharsets.UTF_8)).contains("unknown option --private-key");
  }
}
