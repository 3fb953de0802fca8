package dev.verity.cli.devnet;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code verity devnet} as a user runs it, in its own JVM: it comes up, prints its summary, keeps
 * running, and on SIGTERM stops every process it started (the nodes and Anvil).
 */
class DevnetProcessTest {
  @TempDir Path tmp;

  static String read(Path f) throws java.io.IOException {
    return java.nio.file.Files.exists(f)
        ? java.nio.file.Files.readString(f, StandardCharsets.UTF_8)
        : "";
  }

  @Test
  void devnet_sigterm_stopsEveryProcessItStarted() throws Exception {
    String shared = System.getProperty("verity.shared", "../../shared");
    ProcessBuilder pb =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "--add-modules",
                "jdk.incubator.vector",
                "-Dverity.shared=" + shared,
                "-cp",
                System.getProperty("java.class.path"),
                "dev.verity.cli.VerityCli",
                "devnet",
                "--nodes",
                "2",
                "--data-dir",
                tmp.resolve("devnet").toString())
            .redirectErrorStream(true)
            .redirectOutput(tmp.resolve("devnet.out").toFile());
    Process p = pb.start();
    Path outFile = tmp.resolve("devnet.out");
    List<ProcessHandle> children;
    try {
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(150))
          .until(
              () -> {
                if (!p.isAlive()) {
                  throw new AssertionError("devnet ended early:\n" + read(outFile));
                }
                return read(outFile).contains("Press Ctrl-C to stop.");
              });
      // Anvil and the node JVMs; the ChildReaper watchers (sh loops and their 1 s sleeps) come
      // and go and are left out.
      children =
          p.descendants()
              .filter(
                  h -> {
                    String cmd = h.info().command().orElse("");
                    return cmd.endsWith("/java") || cmd.endsWith("/anvil");
                  })
              .toList();
      // Anvil and two node JVMs at least.
      assertThat(children.size()).isGreaterThanOrEqualTo(3);
      assertThat(children).allMatch(ProcessHandle::isAlive);
      p.destroy(); // SIGTERM, as a service manager would send
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("devnet exits after SIGTERM").isTrue();
      // Checked before the clean-up below could mask a leftover.
      List<Long> leftover = new java.util.ArrayList<>();
      for (ProcessHandle c : children) {
        try {
          c.onExit().get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
          leftover.add(c.pid());
        }
      }
      assertThat(leftover).as("processes left running after the devnet exited").isEmpty();
    } finally {
      // Never leave anything behind, even if an assertion failed.
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    String text = read(outFile);
    assertThat(p.exitValue()).as("exit status after SIGTERM").isEqualTo(143);
    assertThat(text).contains("10/10 receipts verified").doesNotContain("error:");
    assertThat(text).contains("Verity devnet stopped: every node and Anvil are down");
  }
}
