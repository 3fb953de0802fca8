package dev.verity.log;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verity.core.Bytes;
import dev.verity.log.note.SignedCheckpoint;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill -9 for real: a separate JVM appends under concurrent load and reports what it acknowledged;
 * we SIGKILL it mid-run, reopen the log, and check every acknowledged entry is there.
 */
class LogCrashTest {
  @TempDir Path dir;

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void killMinus9UnderLoad_everyAcknowledgedEntrySurvives() throws Exception {
    Map<Long, String> acked = new ConcurrentHashMap<>();
    long previous = 0;
    for (int round = 0; round < 3; round++) {
      previous = runAndKill(acked, 1500 * (round + 1), previous);
    }
    try (TransparencyLog log =
        TransparencyLog.open(dir, TransparencyLog.Options.defaults(TestKeys.logSigner()))) {
      long size = log.size();
      System.out.printf(
          "crash test: %d entries acknowledged before the kills, %d in the reopened log%n",
          acked.size(), size);
      assertThat(size).isGreaterThanOrEqualTo(acked.size());
      SignedCheckpoint cp = log.checkpoint();
      SignedCheckpoint.verify(cp.encode(), TestKeys.logSigner().verifierKey());
      for (Map.Entry<Long, String> e : acked.entrySet()) {
        Bytes leaf = log.leafHash(e.getKey());
        assertThat(leaf.toHex()).as("entry %d", e.getKey()).isEqualTo(e.getValue());
        assertThat(Rfc9162.leafHash(Bytes.copyOf(log.entry(e.getKey())))).isEqualTo(leaf);
        log.inclusionProof(e.getKey(), size).verify(leaf, cp.checkpoint().rootHash());
      }
    }
  }

  /** Runs the child until it acknowledged {@code target} entries in total, then SIGKILLs it. */
  private long runAndKill(Map<Long, String> acked, int target, long expectedStart)
      throws Exception {
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path")));
    cmd.addAll(List.of(LogCrashChild.class.getName(), dir.toString(), "16"));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    CountDownLatch enough = new CountDownLatch(1);
    long[] ready = {-1};
    Thread reader =
        Thread.ofPlatform()
            .start(
                () -> {
                  try (BufferedReader r =
                      new BufferedReader(
                          new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                      String[] f = line.split(" ");
                      if (f[0].equals("READY")) {
                        ready[0] = Long.parseLong(f[1]);
                      } else if (f[0].equals("ACK") && f.length == 3 && f[2].length() == 64) {
                        acked.put(Long.parseLong(f[1]), f[2]);
                        if (acked.size() >= target) {
                          enough.countDown();
                        }
                      }
                    }
                  } catch (java.io.IOException e) {
                    // The pipe breaks when the child dies.
                  }
                });
    boolean reached = enough.await(60, TimeUnit.SECONDS);
    p.destroyForcibly();
    p.waitFor(20, TimeUnit.SECONDS);
    reader.join(10_000);
    assertThat(reached).as("child acknowledged %d entries in time", target).isTrue();
    assertThat(ready[0])
        .as("reopened log holds every earlier acknowledged entry")
        .isGreaterThanOrEqualTo(expectedStart);
    return acked.keySet().stream().mapToLong(Long::longValue).max().orElse(-1) + 1;
  }
}
