package dev.verity.cli.progress;

import java.io.PrintWriter;

/** Creates progress bars for one command run, all in the same mode. */
public final class Progress {
  private final PrintWriter err;
  private final ProgressBar.Mode mode;

  public Progress(PrintWriter err, ProgressBar.Mode mode) {
    this.err = err;
    this.mode = mode;
  }

  public static Progress detect(PrintWriter err) {
    return new Progress(err, ProgressBar.detect());
  }

  public ProgressBar bar(String label) {
    return new ProgressBar(err, mode, label);
  }
}
