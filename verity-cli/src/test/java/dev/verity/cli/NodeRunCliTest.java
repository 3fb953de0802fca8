package dev.verity.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.verity.cli.node.NodeCommand;
import dev.verity.client.VerityClient;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class NodeRunCliTest {
  @TempDir Path dir;

  @Test
  void run_servesUntilStopped_thenExitsCleanly() throws Exception {
    NodeCommand.Run run = new NodeCommand.Run();
    CommandLine cl = new CommandLine(run);
    StringWriter out = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    AtomicInteger exit = new AtomicInteger(-1);
    Thread t =
        Thread.ofPlatform()
            .start(
                () ->
                    exit.set(cl.execute("--port", "0", "--data-dir", dir.resolve("d").toString())));
    await().atMost(Duration.ofSeconds(20)).until(() -> run.node().isPresent());
    try (VerityClient c = VerityClient.connect(run.node().get().url())) {
      assertThat(c.health().status()).isEqualTo("ok");
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> out.toString().contains("Ctrl-C"));
    assertThat(out.toString()).contains("Verity node running at " + run.node().get().url());
    run.stop();
    t.join(Duration.ofSeconds(20));
    assertThat(exit.get()).isZero();
    assertThat(out.toString()).contains("Verity node stopped");
    assertThat(dir.resolve("d/blobs")).isDirectory();
  }

  @Test
  void run_missingConfigFile_isError() {
    Path f = dir.resolve("node.json");
    Cli.Result r = Cli.run("node", "run", "--config", f.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("error: config file " + f + " does not exist or is not a file\n");
  }

  @Test
  void run_badConfigValue_namesSetting() throws Exception {
    Path f = dir.resolve("node.properties");
    Files.writeString(f, "port=eighty\n");
    Cli.Result r = Cli.run("node", "run", "--config", f.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err())
        .isEqualTo("error: config file " + f + ": port: 'eighty' is not a port number (0-65535)\n");
  }

  @Test
  void run_portOutOfRange_isError() {
    Cli.Result r = Cli.run("node", "run", "--port", "70000", "--data-dir", dir.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("error: port must be between 0 and 65535, got 70000\n");
  }
}
