package dev.verity.node.api.blobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class HoldBackInputStreamTest {
  /** Like the blob store's verifying stream: fails on the read that would report the end. */
  static InputStream failingAtEnd(byte[] content) {
    return new InputStream() {
      final ByteArrayInputStream in = new ByteArrayInputStream(content);

      @Override
      public int read() throws IOException {
        int b = in.read();
        if (b < 0) {
          throw new IOException("corrupt");
        }
        return b;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n < 0) {
          throw new IOException("corrupt");
        }
        return n;
      }
    };
  }

  @Property(tries = 50)
  void passesContentThroughUnchanged(@ForAll @IntRange(min = 0, max = 300_000) int size)
      throws IOException {
    byte[] content = new byte[size];
    new Random(size).nextBytes(content);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (InputStream in = new HoldBackInputStream(new ByteArrayInputStream(content))) {
      in.transferTo(out);
    }
    assertThat(out.toByteArray()).isEqualTo(content);
  }

  @Test
  void failureAtEnd_withholdsTheLastBuffer() throws IOException {
    byte[] content = new byte[3 * HoldBackInputStream.BUF + 100];
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThatThrownBy(
            () -> {
              try (InputStream in = new HoldBackInputStream(failingAtEnd(content))) {
                byte[] buf = new byte[8192];
                for (int n; (n = in.read(buf)) >= 0; ) {
                  out.write(buf, 0, n);
                }
              }
            })
        .hasMessage("corrupt");
    assertThat(out.size()).isLessThan(content.length).isGreaterThan(0);
  }

  @Test
  void failureAtEnd_ofSmallContent_sendsNothing() {
    assertThatThrownBy(() -> new HoldBackInputStream(failingAtEnd(new byte[100])).read())
        .hasMessage("corrupt");
  }
}
