package dev.verity.engine;

/** Per-run switches. {@code commitTrace} asks the engine to commit to every node output. */
public record RunOptions(boolean commitTrace) {
  public static final RunOptions DEFAULT = new RunOptions(false);
  public static final RunOptions WITH_TRACE = new RunOptions(true);
}
