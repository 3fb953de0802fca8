package dev.verity.llm.transformer;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs matrix-vector products split across threads by blocks of output rows. Each output is
 * computed entirely by one thread in the fixed column order, so the result has the same bits for
 * any thread count. Small products stay on the calling thread, where dispatch would cost more than
 * it saves.
 */
public final class MatvecExecutor implements AutoCloseable {
  /** Products with fewer multiply-adds than this run on the calling thread. */
  static final long PARALLEL_THRESHOLD = 1L << 17;

  private final Kernels kernels;
  private final int threads;
  private final ExecutorService pool;
  private final long parallelThreshold;

  private MatvecExecutor(Kernels kernels, int threads, long parallelThreshold) {
    if (threads < 1 || threads > 1024) {
      throw new IllegalArgumentException("threads must be in 1..1024, got " + threads);
    }
    this.kernels = kernels;
    this.threads = threads;
    this.parallelThreshold = parallelThreshold;
    if (threads == 1) {
      this.pool = null;
    } else {
      AtomicInteger n = new AtomicInteger();
      ThreadFactory tf =
          r -> {
            Thread t = new Thread(r, "verity-llm-matvec-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
          };
      this.pool = Executors.newFixedThreadPool(threads - 1, tf);
    }
  }

  public static MatvecExecutor create(Kernels kernels, int threads) {
    return new MatvecExecutor(kernels, threads, PARALLEL_THRESHOLD);
  }

  /** As {@link #create(Kernels, int)}, splitting every product of at least {@code threshold}. */
  public static MatvecExecutor create(Kernels kernels, int threads, long threshold) {
    return new MatvecExecutor(kernels, threads, threshold);
  }

  public Kernels kernels() {
    return kernels;
  }

  public int threads() {
    return threads;
  }

  /** {@code out[outOffset + i] = Σ_k W[i][k]·x[k]}. */
  public void matvec(PackedMatrix w, float[] x, float[] out, int outOffset) {
    int blocks = w.blocks();
    if (pool == null || blocks < 2 || (long) w.rows() * w.cols() < parallelThreshold) {
      kernels.matvecBlocks(w, x, out, outOffset, 0, blocks);
      return;
    }
    int parts = Math.min(threads, blocks);
    @SuppressWarnings("unchecked")
    Future<?>[] futures = new Future<?>[parts - 1];
    for (int p = 1; p < parts; p++) {
      int b0 = (int) ((long) blocks * p / parts);
      int b1 = (int) ((long) blocks * (p + 1) / parts);
      futures[p - 1] = pool.submit(() -> kernels.matvecBlocks(w, x, out, outOffset, b0, b1));
    }
    kernels.matvecBlocks(w, x, out, outOffset, 0, (int) ((long) blocks / parts));
    for (Future<?> f : futures) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted during a matrix product", e);
      } catch (java.util.concurrent.ExecutionException e) {
        throw new IllegalStateException("matrix product failed", e.getCause());
      }
    }
  }

  @Override
  public void close() {
    if (pool != null) {
      pool.shutdownNow();
    }
  }
}
