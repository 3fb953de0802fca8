package dev.verity.cli.devnet;

import java.io.IOException;
import java.util.List;

/**
 * Kills one child process (SIGKILL) if this JVM dies without stopping it: a tiny {@code sh} loop
 * that checks once a second whether this JVM is still alive. Shutdown hooks cover SIGINT and
 * SIGTERM; this covers SIGKILL and crashes, so a killed devnet (or test run) never leaves Anvil or
 * node processes behind. The loop ends by itself once the child has exited.
 */
final class ChildReaper implements AutoCloseable {
  private final Process watcher;

  private ChildReaper(Process watcher) {
    this.watcher = watcher;
  }

  static ChildReaper watch(long childPid) throws IOException {
    long self = ProcessHandle.current().pid();
    String script =
        "while kill -0 "
            + self
            + " 2>/dev/null; do kill -0 "
            + childPid
            + " 2>/dev/null || exit 0; sleep 1; done; kill -9 "
            + childPid
            + " 2>/dev/null";
    Process p =
        new ProcessBuilder(List.of("/bin/sh", "-c", script))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    return new ChildReaper(p);
  }

  /** Stops watching (the child was stopped normally). */
  @Override
  public void close() {
    watcher.destroy();
  }
}
