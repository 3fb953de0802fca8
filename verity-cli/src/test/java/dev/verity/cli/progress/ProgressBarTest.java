package dev.verity.cli.progress;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
  final AtomicLong now = new AtomicLong();
  final StringWriter sink = new StringWriter();

  ProgressBar bar(ProgressBar.Mode mode) {
    return new ProgressBar(new PrintWriter(sink, true), mode, "upload", now::get);
  }

  @Test
  void terminal_redrawsOneLineWithBarPercentAndRate() {
    ProgressBar b = bar(ProgressBar.Mode.TERMINAL);
    now.set(1_000_000_000L);
    b.update(512L << 20, 1L << 30);
    assertThat(sink.toString())
        .startsWith("\rupload [##############..............]  50% 512.0 MiB/1.0 GiB 512.0 MiB/s");
    b.close();
    assertThat(sink.toString()).endsWith("\n");
  }

  @Test
  void plain_printsNothingForShortTransfers_andALineEveryFewSeconds() {
    ProgressBar b = bar(ProgressBar.Mode.PLAIN);
    now.set(1_000_000_000L);
    b.update(10, 100);
    assertThat(sink.toString()).isEmpty();
    now.set(6_000_000_000L);
    b.update(60, 100);
    assertThat(sink.toString()).isEqualTo("upload: 60% (60 B of 100 B, 10 B/s)\n");
    b.close();
    assertThat(sink.toString()).isEqualTo("upload: 60% (60 B of 100 B, 10 B/s)\n");
  }

  @Test
  void none_printsNothing() {
    ProgressBar b = bar(ProgressBar.Mode.NONE);
    now.set(10_000_000_000L);
    b.update(50, 100);
    b.close();
    assertThat(sink.toString()).isEmpty();
  }

  @Test
  void human_sizes() {
    assertThat(ProgressBar.human(512)).isEqualTo("512 B");
    assertThat(ProgressBar.human(1536)).isEqualTo("1.5 KiB");
    assertThat(ProgressBar.human(3L << 30)).isEqualTo("3.0 GiB");
  }
}
