package dev.verity.cli.progress;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Shows transfer or hashing progress on stderr. On a terminal it redraws one line (bar, percent,
 * bytes, rate); otherwise it prints a plain line at most every {@link #PLAIN_INTERVAL_NANOS}, so
 * logs stay readable and short transfers print nothing.
 */
public final class ProgressBar implements AutoCloseable {
  static final long PLAIN_INTERVAL_NANOS = 5_000_000_000L;
  private static final long REDRAW_NANOS = 100_000_000L;
  private static final int WIDTH = 28;

  /** How progress is drawn. */
  public enum Mode {
    TERMINAL,
    PLAIN,
    NONE
  }

  private final PrintWriter err;
  private final Mode mode;
  private final String label;
  private final LongSupplier clock;
  private final long start;
  private long lastDraw;
  private long done;
  private long total;
  private boolean drewTerminalLine;

  public ProgressBar(PrintWriter err, Mode mode, String label) {
    this(err, mode, label, System::nanoTime);
  }

  ProgressBar(PrintWriter err, Mode mode, String label, LongSupplier clock) {
    this.err = err;
    this.mode = mode;
    this.label = label;
    this.clock = clock;
    this.start = clock.getAsLong();
    this.lastDraw = start;
  }

  /**
   * TERMINAL when stderr is an interactive terminal, else PLAIN; {@code VERITY_PROGRESS=bar|plain|
   * none} overrides.
   */
  public static Mode detect() {
    String forced = System.getenv("VERITY_PROGRESS");
    if (forced != null) {
      switch (forced.toLowerCase(Locale.ROOT)) {
        case "bar" -> {
          return Mode.TERMINAL;
        }
        case "plain" -> {
          return Mode.PLAIN;
        }
        case "none" -> {
          return Mode.NONE;
        }
        default -> {}
      }
    }
    return stderrIsTerminal() ? Mode.TERMINAL : Mode.PLAIN;
  }

  /**
   * Java cannot ask isatty(2) directly; on Linux, /proc/self/fd/2 names stderr's target. Elsewhere
   * fall back to the console check, which looks at stdin and stdout.
   */
  static boolean stderrIsTerminal() {
    java.nio.file.Path fd2 = java.nio.file.Path.of("/proc/self/fd/2");
    try {
      String target = java.nio.file.Files.readSymbolicLink(fd2).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
    } catch (java.io.IOException | UnsupportedOperationException e) {
      java.io.Console c = System.console();
      return c != null && c.isTerminal();
    }
  }

  /** Records progress; thread-safe (hashing reports from several threads). */
  public synchronized void update(long done, long total) {
    this.done = done;
    this.total = total;
    long now = clock.getAsLong();
    switch (mode) {
      case TERMINAL -> {
        if (now - lastDraw >= REDRAW_NANOS || (total > 0 && done >= total)) {
          lastDraw = now;
          err.print("\r" + line(now));
          err.flush();
          drewTerminalLine = true;
        }
      }
      case PLAIN -> {
        if (now - lastDraw >= PLAIN_INTERVAL_NANOS) {
          lastDraw = now;
          err.println(line(now));
          err.flush();
        }
      }
      case NONE -> {}
    }
  }

  String line(long now) {
    double secs = Math.max(1e-9, (now - start) / 1e9);
    String rate = human(done / secs) + "/s";
    if (total > 0) {
      int pct = (int) Math.min(100, done * 100 / total);
      if (mode == Mode.TERMINAL) {
        int filled = (int) Math.min(WIDTH, done * WIDTH / total);
        return String.format(
            Locale.ROOT,
            "%s [%s%s] %3d%% %s/%s %s   ",
            label,
            "#".repeat(filled),
            ".".repeat(WIDTH - filled),
            pct,
            human(done),
            human(total),
            rate);
      }
      return String.format(
          Locale.ROOT, "%s: %d%% (%s of %s, %s)", label, pct, human(done), human(total), rate);
    }
    return String.format(Locale.ROOT, "%s: %s (%s)", label, human(done), rate);
  }

  /** Ends the terminal line so the next output starts on a fresh line. */
  @Override
  public synchronized void close() {
    if (mode == Mode.TERMINAL && drewTerminalLine) {
      err.print("\r" + line(clock.getAsLong()));
      err.println();
      err.flush();
    }
  }

  /** {@code 1.5 MiB}-style sizes. */
  public static String human(double bytes) {
    String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (bytes >= 1024 && u < units.length - 1) {
      bytes /= 1024;
      u++;
    }
    return u == 0
        ? String.format(Locale.ROOT, "%d B", (long) bytes)
        : String.format(Locale.ROOT, "%.1f %s", bytes, units[u]);
  }
}
