package dev.verity.engine;

import java.util.Objects;

/**
 * Per-run switches: whether the engine commits to every node output, and whether the committed
 * tensors are kept so that leaves can be opened afterwards.
 *
 * @param trace what trace commitment the run produces
 */
public record RunOptions(TraceMode trace) {
  /** No trace commitment. */
  public static final RunOptions DEFAULT = new RunOptions(TraceMode.NONE);

  /**
   * Commits to the trace root and leaf count only: each output is hashed as it is produced and then
   * freed like in a run without a trace, so {@link TraceCommitment#open} is unsupported. What a
   * receipt needs.
   */
  public static final RunOptions WITH_TRACE_ROOT = new RunOptions(TraceMode.ROOT);

  /** Commits to the trace and keeps every committed tensor so any leaf can be opened (disputes). */
  public static final RunOptions WITH_TRACE = new RunOptions(TraceMode.OPENABLE);

  /** The kinds of trace commitment a run can produce; both give the same root and leaf hashes. */
  public enum TraceMode {
    NONE,
    ROOT,
    OPENABLE
  }

  public RunOptions {
    Objects.requireNonNull(trace, "trace");
  }

  /** Whether the run commits to a trace at all. */
  public boolean commitTrace() {
    return trace != TraceMode.NONE;
  }

  /** Whether the trace keeps the committed tensors for {@link TraceCommitment#open}. */
  public boolean openableTrace() {
    return trace == TraceMode.OPENABLE;
  }
}
