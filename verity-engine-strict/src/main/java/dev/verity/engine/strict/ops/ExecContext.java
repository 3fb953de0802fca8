package dev.verity.engine.strict.ops;

import dev.verity.engine.DataType;
import dev.verity.engine.EngineLimits;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;

/**
 * Per-run state: limits, deadline, the worker pool and the memory account. Every operator asks it
 * for output and scratch arrays, so the memory budget is checked before anything is allocated.
 */
public final class ExecContext {
  /** A body over a half-open index range. */
  @FunctionalInterface
  public interface RangeBody {
    void run(int from, int to);
  }

  private final EngineLimits limits;
  private final long deadlineNanos;
  private final ForkJoinPool pool;
  private final int threads;
  private final boolean fast;
  private long liveBytes;
  private String where = "";

  public ExecContext(
      EngineLimits limits, long deadlineNanos, ForkJoinPool pool, int threads, boolean fast) {
    this.limits = limits;
    this.deadlineNanos = deadlineNanos;
    this.pool = pool;
    this.threads = threads;
    this.fast = fast;
  }

  /** Whether operators should take the vectorized path (same bits as the scalar reference). */
  public boolean fast() {
    return fast;
  }

  public int threads() {
    return threads;
  }

  public void at(String nodeLabel) {
    this.where = nodeLabel;
  }

  public String where() {
    return where;
  }

  public void addLive(long bytes) {
    liveBytes += bytes;
  }

  public long liveBytes() {
    return liveBytes;
  }

  public void checkDeadline() {
    if (System.nanoTime() - deadlineNanos > 0) {
      throw new DeadlineExceeded(
          "run exceeded its deadline of " + limits.runDeadline() + " (in " + where + ")");
    }
  }

  /** Checks that {@code bytes} more may be allocated for {@code what}; throws naming it. */
  public void reserve(long bytes, String what, int[] shape) {
    if (bytes > limits.maxTensorBytes()) {
      throw new RunFailure(
          where
              + ": "
              + what
              + " of shape "
              + Arrays.toString(shape)
              + " needs "
              + bytes
              + " bytes, over the per-tensor limit of "
              + limits.maxTensorBytes());
    }
    if (liveBytes + bytes > limits.maxTotalBytes()) {
      throw new RunFailure(
          where
              + ": "
              + what
              + " of shape "
              + Arrays.toString(shape)
              + " needs "
              + bytes
              + " bytes with "
              + liveBytes
              + " already live, over the total limit of "
              + limits.maxTotalBytes());
    }
  }

  private long checkedCount(int[] shape, int elemBytes, String what) {
    long n = 1;
    for (int s : shape) {
      if (s < 0) {
        throw new RunFailure(
            where + ": negative dimension in " + what + " " + Arrays.toString(shape));
      }
      n = n * s;
      if (n > Integer.MAX_VALUE - 8) {
        throw new RunFailure(
            where + ": " + what + " of shape " + Arrays.toString(shape) + " is too large");
      }
    }
    reserve(n * elemBytes, what, shape);
    return n;
  }

  public Nd newFloats(int[] shape) {
    return Nd.floats(shape, new float[(int) checkedCount(shape, 4, "output")]);
  }

  private final java.util.HashMap<Integer, java.util.ArrayDeque<float[]>> recycled =
      new java.util.HashMap<>();

  /**
   * A float32 output whose array may be recycled from a freed intermediate of this run: its
   * contents are stale, so only operators that write every element may call this.
   */
  public Nd newFloatsOverwritten(int[] shape) {
    int n = (int) checkedCount(shape, 4, "output");
    java.util.ArrayDeque<float[]> q = recycled.get(n);
    float[] a = q == null ? null : q.pollFirst();
    return Nd.floats(shape, a != null ? a : new float[n]);
  }

  /** Offers a dead intermediate's array for reuse by later nodes of this run. */
  public void recycle(float[] a) {
    if (a.length >= 4096) {
      recycled.computeIfAbsent(a.length, k -> new java.util.ArrayDeque<>()).addFirst(a);
    }
  }

  public Nd newTensor(DataType type, int[] shape) {
    checkedCount(shape, type.byteSize(), "output");
    return Nd.zeros(type, shape);
  }

  public float[] scratch(long n, String what) {
    if (n > Integer.MAX_VALUE - 8) {
      throw new RunFailure(where + ": " + what + " of " + n + " elements is too large");
    }
    reserve(n * 4, what, new int[] {(int) n});
    return new float[(int) n];
  }

  /**
   * Runs {@code body} over [0, n) split into contiguous chunks, one per worker. Only independent
   * outputs may be split this way; the chunking never changes any element's arithmetic.
   */
  public void parallelFor(int n, int minChunk, RangeBody body) {
    int parts = Math.min(threads, Math.max(1, n / Math.max(1, minChunk)));
    if (parts <= 1 || pool == null) {
      body.run(0, n);
      return;
    }
    List<ForkJoinTask<?>> tasks = new ArrayList<>(parts);
    for (int p = 1; p < parts; p++) {
      int from = (int) ((long) n * p / parts);
      int to = (int) ((long) n * (p + 1) / parts);
      tasks.add(pool.submit(() -> body.run(from, to)));
    }
    RuntimeException first = null;
    // The calling thread takes the first chunk itself instead of waiting idle.
    try {
      body.run(0, (int) ((long) n / parts));
    } catch (RuntimeException e) {
      first = e;
    }
    for (ForkJoinTask<?> t : tasks) {
      try {
        t.join();
      } catch (RuntimeException e) {
        if (first == null) {
          first = e;
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
