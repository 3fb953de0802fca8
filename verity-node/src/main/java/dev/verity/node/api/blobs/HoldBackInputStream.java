package dev.verity.node.api.blobs;

import java.io.IOException;
import java.io.InputStream;

/**
 * Returns a verifying stream's bytes one buffer late: a buffer is handed out only after the next
 * one (or the end of the stream) has been read. The blob store's stream throws at end of stream
 * when the content does not match its digest, so with this wrapper a corrupt blob's final bytes are
 * never sent and the response ends short instead of looking complete.
 */
final class HoldBackInputStream extends InputStream {
  static final int BUF = 1 << 16;

  private final InputStream in;
  private byte[] cur = new byte[BUF];
  private int curLen;
  private int curPos;
  private byte[] look = new byte[BUF];
  private int lookLen;
  private boolean eof;

  HoldBackInputStream(InputStream in) throws IOException {
    this.in = in;
    lookLen = fill(look);
  }

  /** Reads a full buffer; a short one means the underlying stream ended (and was verified). */
  private int fill(byte[] b) throws IOException {
    if (eof) {
      return 0;
    }
    int n = in.readNBytes(b, 0, b.length);
    if (n < b.length) {
      eof = true;
    }
    return n;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    if (curPos >= curLen) {
      if (lookLen == 0) {
        return -1;
      }
      byte[] free = cur;
      // Read ahead before releasing "look": if this throws, "look" is never handed out.
      int n = fill(free);
      cur = look;
      curLen = lookLen;
      curPos = 0;
      look = free;
      lookLen = n;
    }
    int n = Math.min(len, curLen - curPos);
    System.arraycopy(cur, curPos, b, off, n);
    curPos += n;
    return n;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
