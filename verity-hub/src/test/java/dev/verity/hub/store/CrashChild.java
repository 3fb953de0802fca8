package dev.verity.hub.store;

import dev.verity.core.Digest;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * Child process for crash tests: writes deterministic content to a store, announces how far it got
 * on stdout, and never finishes on its own: the test kills it with SIGKILL mid-write. Arguments:
 * {@code put|upload <root> <digest> <size>}.
 */
public final class CrashChild {
  public static void main(String[] args) throws Exception {
    String mode = args[0];
    BlobStore store = new BlobStore(Path.of(args[1]), StoreLimits.defaults());
    Digest digest = Digest.parse(args[2]);
    long size = Long.parseLong(args[3]);
    InputStream in = new StallingStream(size);
    if (mode.equals("put")) {
      store.put(in, digest, size);
    } else {
      store.upload(digest, size).append(in, 0);
    }
  }

  /** Content byte i is (i * 31 + 7) mod 256; stalls forever after half of it. */
  static byte content(long i) {
    return (byte) (i * 31 + 7);
  }

  private static final class StallingStream extends InputStream {
    private final long half;
    private long pos;

    StallingStream(long size) {
      this.half = size / 2;
    }

    @Override
    public int read() {
      throw new UnsupportedOperationException();
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (pos >= half) {
        System.out.println("stalled at " + pos);
        System.out.flush();
        while (true) {
          try {
            Thread.sleep(60_000);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      }
      int n = (int) Math.min(len, Math.min(half - pos, 8192));
      for (int i = 0; i < n; i++) {
        b[off + i] = content(pos + i);
      }
      pos += n;
      return n;
    }
  }
}
