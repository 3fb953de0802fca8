package dev.verity.bench;

import dev.verity.core.Digest;
import dev.verity.hub.manifest.ManifestFile;
import dev.verity.hub.publish.ModelHasher;
import dev.verity.hub.publish.ProgressListener;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Publish hashing throughput against {@code sha256sum} on the same file: {@code verity bench hash
 * [--size-mib N]}. Creates a file of random bytes (1 GiB by default) in a temporary directory,
 * warms the page cache, times each tool three times and keeps the best, checks both digests agree,
 * prints MB/s (10^6 bytes per second) for each and the ratio, then deletes the file.
 */
public final class HashBench {
  private HashBench() {}

  public static void main(String[] args) throws Exception {
    long sizeMib = 1024;
    int runs = 3;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--size-mib" -> sizeMib = Long.parseLong(value(args, ++i, "--size-mib"));
        case "--runs" -> runs = Integer.parseInt(value(args, ++i, "--runs"));
        case "-h", "--help" -> {
          System.out.println("usage: verity bench hash [--size-mib N] [--runs R]");
          System.out.println("  times publish hashing (ModelHasher) against sha256sum on one file");
          return;
        }
        default -> throw new IllegalArgumentException("unknown argument: " + args[i]);
      }
    }
    if (sizeMib < 1 || runs < 1) {
      throw new IllegalArgumentException("--size-mib and --runs must be at least 1");
    }
    long size = sizeMib << 20;
    Path dir = Files.createTempDirectory("verity-hashbench-");
    Path file = dir.resolve("model.bin");
    try {
      System.out.printf(
          Locale.ROOT,
          "hash bench: %d MiB of random bytes, %d cores, sha_ni=%s, load %.2f, best of %d%n",
          sizeMib,
          Runtime.getRuntime().availableProcessors(),
          cpuHasShaNi(),
          java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
          runs);
      writeRandom(file, size);
      warm(file);

      // Alternate the two tools each round so background load affects both alike.
      ModelHasher hasher = new ModelHasher();
      List<dev.verity.hub.publish.LocalFile> files = ModelHasher.listFiles(file);
      String coreutilsHex = null;
      Digest verity = null;
      long bestSum = Long.MAX_VALUE;
      long bestVerity = Long.MAX_VALUE;
      for (int r = 0; r < runs; r++) {
        long t0 = System.nanoTime();
        coreutilsHex = sha256sum(file);
        bestSum = Math.min(bestSum, System.nanoTime() - t0);
        t0 = System.nanoTime();
        List<ManifestFile> out = hasher.hash(files, ProgressListener.NONE);
        bestVerity = Math.min(bestVerity, System.nanoTime() - t0);
        verity = out.get(0).digest();
      }

      if (!verity.hex().equals(coreutilsHex)) {
        throw new IllegalStateException(
            "digests differ: sha256sum " + coreutilsHex + ", Verity " + verity.hex());
      }
      double sumMbs = size / (bestSum / 1e9) / 1e6;
      double verityMbs = size / (bestVerity / 1e9) / 1e6;
      System.out.printf(Locale.ROOT, "digest (both agree): %s%n", verity);
      System.out.printf(
          Locale.ROOT, "sha256sum          : %8.1f MB/s (%.3f s)%n", sumMbs, bestSum / 1e9);
      System.out.printf(
          Locale.ROOT, "verity ModelHasher : %8.1f MB/s (%.3f s)%n", verityMbs, bestVerity / 1e9);
      System.out.printf(
          Locale.ROOT,
          "ratio verity/sha256sum: %.2fx (goal >= 1.5x) %s%n",
          verityMbs / sumMbs,
          verityMbs / sumMbs >= 1.5 ? "OK" : "BELOW GOAL");
    } finally {
      Files.deleteIfExists(file);
      Files.deleteIfExists(dir);
    }
  }

  private static String value(String[] args, int i, String name) {
    if (i >= args.length) {
      throw new IllegalArgumentException(name + " needs a value");
    }
    return args[i];
  }

  private static void writeRandom(Path file, long size) throws IOException {
    SplittableRandom rnd = new SplittableRandom(0x5eed);
    ByteBuffer buf = ByteBuffer.allocate(8 << 20);
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      long left = size;
      while (left > 0) {
        buf.clear();
        int n = (int) Math.min(buf.capacity(), left);
        for (int i = 0; i + 8 <= n; i += 8) {
          buf.putLong(i, rnd.nextLong());
        }
        buf.limit(n);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        left -= n;
      }
    }
  }

  /** Reads the whole file once so both tools hash from the page cache. */
  private static void warm(Path file) throws IOException {
    byte[] b = new byte[8 << 20];
    try (InputStream in = Files.newInputStream(file)) {
      while (in.read(b) >= 0) {
        // Only the side effect on the page cache matters.
      }
    }
  }

  private static String sha256sum(Path file) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder("sha256sum", file.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    try (OutputStream stdin = p.getOutputStream()) {
      // sha256sum reads the file itself.
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    if (p.waitFor() != 0) {
      throw new IOException("sha256sum failed with exit code " + p.exitValue());
    }
    return out.substring(0, 64);
  }

  private static boolean cpuHasShaNi() {
    try {
      return Files.readString(Path.of("/proc/cpuinfo")).contains(" sha_ni");
    } catch (IOException e) {
      return false;
    }
  }
}
