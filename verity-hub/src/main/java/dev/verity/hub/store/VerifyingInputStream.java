package dev.verity.hub.store;

import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;

/** Reads a blob file, hashing as it goes, and fails at end of stream on a digest mismatch. */
final class VerifyingInputStream extends InputStream {
  private final FileChannel channel;
  private final Digest expected;
  private final MessageDigest md = Digest.newSha256();
  private boolean verified;

  VerifyingInputStream(FileChannel channel, Digest expected) {
    this.channel = channel;
    this.expected = expected;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    int n = channel.read(ByteBuffer.wrap(b, off, len));
    if (n < 0) {
      if (!verified) {
        Digest actual = new Digest(Bytes.copyOf(md.digest()));
        if (!actual.equals(expected)) {
          throw new CorruptBlobException(expected, actual);
        }
        verified = true;
      }
      return -1;
    }
    md.update(b, off, n);
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    // Skipped bytes must still be hashed, or the end-of-stream check would be meaningless.
    byte[] buf = new byte[(int) Math.min(Math.max(n, 0), 1 << 16)];
    long skipped = 0;
    while (skipped < n) {
      int r = read(buf, 0, (int) Math.min(buf.length, n - skipped));
      if (r < 0) {
        break;
      }
      skipped += r;
    }
    return skipped;
  }

  @Override
  public int available() throws IOException {
    return (int) Math.min(Integer.MAX_VALUE, channel.size() - channel.position());
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
