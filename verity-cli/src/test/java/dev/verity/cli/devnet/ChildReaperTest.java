package dev.verity.cli.devnet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A JVM killed with SIGKILL (no shutdown hooks run) does not leave its children behind: the watcher
 * kills them within about a second. A child stopped normally is left alone.
 */
class ChildReaperTest {
  /** Child JVM: starts a long sleep under a reaper, prints its pid, then waits to be killed. */
  public static final class Parent {
    public static void main(String[] args) throws Exception {
      Process sleeper = new ProcessBuilder("sleep", "300").start();
      ChildReaper.watch(sleeper.pid());
      System.out.println(sleeper.pid());
      System.out.flush();
      Thread.sleep(300_000);
    }
  }

  @Test
  void sigkilledParent_takesItsWatchedChildWithIt() throws Exception {
    Process parent =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Parent.class.getName())
            .redirectErrorStream(true)
            .start();
    long sleeper;
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8))) {
      sleeper = Long.parseLong(r.readLine().strip());
      Optional<ProcessHandle> h = ProcessHandle.of(sleeper);
      assertThat(h).isPresent();
      assertThat(h.get().isAlive()).isTrue();
      parent.destroyForcibly(); // SIGKILL: no shutdown hook runs
      assertThat(parent.waitFor(10, TimeUnit.SECONDS)).isTrue();
      h.get().onExit().get(10, TimeUnit.SECONDS);
      assertThat(h.get().isAlive()).as("child of the killed JVM").isFalse();
    } finally {
      parent.destroyForcibly();
    }
  }

  @Test
  void closedReaper_leavesTheChildAlone() throws Exception {
    Process sleeper = new ProcessBuilder("sleep", "30").start();
    try {
      ChildReaper.watch(sleeper.pid()).close();
      Thread.sleep(1500);
      assertThat(sleeper.isAlive()).isTrue();
    } finally {
      sleeper.destroyForcibly();
    }
  }
}
