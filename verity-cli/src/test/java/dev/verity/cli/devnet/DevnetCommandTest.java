package dev.verity.cli.devnet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verity.cli.VerityCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DevnetCommandTest {
  record Result(int exit, String out, String err) {}

  static Result run(String... args) {
    CommandLine cl = VerityCli.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(args);
    return new Result(exit, out.toString(), err.toString());
  }

  @Test
  void devnet_tooFewNodes_isRejectedBeforeAnythingStarts() {
    Result r = run("devnet", "--nodes", "1", "--smoke");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err())
        .isEqualTo("error: --nodes must be between 2 and 9 (Anvil funds 10 accounts), got 1\n");
    assertThat(r.out()).doesNotContain("starting Anvil");
  }

  @Test
  void devnet_anvilMissing_saysToRunTheBuild(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) {
    String before = System.getProperty("verity.anvil");
    System.setProperty("verity.anvil", tmp.resolve("no-anvil").toString());
    try {
      Result r = run("devnet", "--smoke", "--data-dir", tmp.resolve("d").toString());
      assertThat(r.exit()).isEqualTo(1);
      assertThat(r.err())
          .contains("the Anvil binary " + tmp.resolve("no-anvil") + " is missing or not executable")
          .contains("run the build first");
      assertThat(r.out()).contains("starting Anvil").doesNotContain("deploying");
    } finally {
      if (before == null) {
        System.clearProperty("verity.anvil");
      } else {
        System.setProperty("verity.anvil", before);
      }
    }
  }

  @Test
  void devnet_help_describesSmokeAndShutdown() {
    Result r = run("devnet", "--help");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("--smoke", "--exit-after-summary", "Ctrl-C", "4 nodes");
  }

  @Test
  void verity_help_listsDevnet() {
    Result r = run("--help");
    assertThat(r.out()).contains("devnet");
  }
}
