package dev.verity.hub.publish;

import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Not a test: compares ways of feeding one large file to SHA-256, to choose ModelHasher's strategy.
 * Usage: {@code HashStrategyBench [sizeMiB]}. Prints MB/s of each and the ratio to {@code
 * sha256sum} on the same (page-cached) file.
 */
public final class HashStrategyBench {
  public static void main(String[] args) throws Exception {
    long mib = args.length > 0 ? Long.parseLong(args[0]) : 1024;
    Path file = Files.createTempFile("verity-hash-", ".bin");
    try {
      write(file, mib << 20);
      long size = Files.size(file);
      String[] names = {
        "sha256sum",
        "heap 1 MiB sequential",
        "heap 4 MiB sequential",
        "direct 4 MiB ByteBuffer",
        "mmap 256 MiB windows",
        "pipelined reader thread"
      };
      Run[] runs = {
        () -> sha256sum(file),
        () -> heap(file, 1 << 20),
        () -> heap(file, 4 << 20),
        () -> direct(file),
        () -> mmap(file),
        () -> ModelHasher.sha256Pipelined(file, n -> {}).digest().hex()
      };
      // Interleaved rounds, best of each: the machine is shared, so load varies over time.
      double[] best = new double[runs.length];
      java.util.Arrays.fill(best, Double.MAX_VALUE);
      String expected = null;
      for (int round = 0; round < 5; round++) {
        for (int i = 0; i < runs.length; i++) {
          long t0 = System.nanoTime();
          String hex = runs[i].run();
          best[i] = Math.min(best[i], (System.nanoTime() - t0) / 1e9);
          if (expected == null) {
            expected = hex;
          } else if (!expected.equals(hex)) {
            throw new AssertionError(names[i] + " computed a different digest");
          }
        }
      }
      for (int i = 0; i < runs.length; i++) {
        report(names[i], size, best[i], best[0]);
      }
    } finally {
      Files.deleteIfExists(file);
    }
  }

  interface Run {
    String run() throws Exception;
  }

  static void report(String name, long size, double secs, double sumSecs) {
    System.out.printf(
        Locale.ROOT,
        "%-26s %8.0f MB/s  %.2fx sha256sum%n",
        name,
        size / secs / 1e6,
        sumSecs / secs);
  }

  static String heap(Path f, int chunk) throws IOException {
    MessageDigest md = Digest.newSha256();
    byte[] buf = new byte[chunk];
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
      for (int n; (n = ch.read(ByteBuffer.wrap(buf))) > 0; ) {
        md.update(buf, 0, n);
      }
    }
    return Bytes.copyOf(md.digest()).toHex();
  }

  static String direct(Path f) throws IOException {
    MessageDigest md = Digest.newSha256();
    ByteBuffer buf = ByteBuffer.allocateDirect(4 << 20);
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
      while (ch.read(buf.clear()) > 0) {
        md.update(buf.flip());
      }
    }
    return Bytes.copyOf(md.digest()).toHex();
  }

  static String mmap(Path f) throws IOException {
    MessageDigest md = Digest.newSha256();
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
      long size = ch.size();
      for (long pos = 0; pos < size; pos += 256 << 20) {
        MappedByteBuffer m =
            ch.map(FileChannel.MapMode.READ_ONLY, pos, Math.min(256 << 20, size - pos));
        md.update(m);
      }
    }
    return Bytes.copyOf(md.digest()).toHex();
  }

  static String sha256sum(Path f) throws Exception {
    Process p = new ProcessBuilder("sha256sum", f.toString()).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) {
      throw new IOException("sha256sum failed");
    }
    return out.substring(0, 64);
  }

  static void write(Path f, long size) throws IOException {
    SplittableRandom rnd = new SplittableRandom(42);
    byte[] block = new byte[1 << 20];
    try (var out = Files.newOutputStream(f)) {
      for (long done = 0; done < size; done += block.length) {
        for (int i = 0; i < block.length; i += 8) {
          long v = rnd.nextLong();
          for (int k = 0; k < 8; k++) {
            block[i + k] = (byte) (v >>> (8 * k));
          }
        }
        out.write(block, 0, (int) Math.min(block.length, size - done));
      }
    }
  }
}
