package dev.verity.log;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Run in a separate JVM by {@link LogCrashTest}: appends from many threads forever and prints
 * {@code ACK <index> <leaf hash hex>} for each entry only after its append future completed (that
 * is, after fsync). The test kills this process with SIGKILL.
 */
public final class LogCrashChild {
  private LogCrashChild() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int threads = Integer.parseInt(args[1]);
    PrintStream out =
        new PrintStream(
            new java.io.FileOutputStream(java.io.FileDescriptor.out),
            true,
            StandardCharsets.US_ASCII);
    TransparencyLog log =
        TransparencyLog.open(
            dir, TransparencyLog.Options.defaults(TestKeys.logSigner()).withInterval(20));
    out.println("READY " + log.size());
    for (int t = 0; t < threads; t++) {
      int id = t;
      Thread.ofPlatform()
          .start(
              () -> {
                long n = 0;
                while (true) {
                  byte[] e = new byte[16 + ThreadLocalRandom.current().nextInt(200)];
                  ThreadLocalRandom.current().nextBytes(e);
                  e[0] = (byte) id;
                  Appended a = log.append(e).join();
                  synchronized (out) {
                    out.println("ACK " + a.index() + " " + a.leafHash().toHex());
                  }
                  n++;
                }
              });
    }
    Thread.sleep(Long.MAX_VALUE);
  }
}
