package dev.verity.client.routing;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one request against ranked nodes until one answers: the first node gets it; if it fails with
 * an error worth retrying elsewhere, the next node gets it after a backoff; if it is merely slow
 * (no answer after {@link RetryPolicy#hedgeAfter()}), the next node gets it too and the first
 * answer wins (a hedge); an attempt over {@link RetryPolicy#attemptTimeout()} counts as failed.
 */
public final class Failover {
  private static final Logger LOG = LoggerFactory.getLogger(Failover.class);

  /** The request, sent to one node. */
  @FunctionalInterface
  public interface Call<T> {
    T run(Candidate node) throws Exception;
  }

  private Failover() {}

  private record Running(Candidate node, long startNanos, boolean hedged, Future<?> future) {}

  private record Done<T>(Running run, T value, Exception error) {}

  /**
   * @param ranked nodes in the order to try them
   * @param retryable whether a failure is the node's (try another) rather than the request's
   * @throws NoNodeAnsweredException if every node tried failed
   * @throws IOException the first failure that is not retryable
   */
  public static <T> Routed<T> call(
      List<Candidate> ranked, RetryPolicy policy, Predicate<Exception> retryable, Call<T> call)
      throws IOException {
    if (ranked.isEmpty()) {
      throw new NoNodeAnsweredException("no node to send the request to", List.of());
    }
    int limit = Math.min(policy.maxAttempts(), ranked.size());
    BlockingQueue<Done<T>> done = new LinkedBlockingQueue<>();
    List<Running> running = new ArrayList<>();
    List<Attempt> attempts = new ArrayList<>();
    ExecutorService exec = Executors.newVirtualThreadPerTaskExecutor();
    int next = 0;
    int failures = 0;
    long lastLaunch;
    try {
      running.add(launch(exec, ranked.get(next++), false, call, done));
      lastLaunch = System.nanoTime();
      while (true) {
        if (running.isEmpty()) {
          if (next >= limit) {
            throw new NoNodeAnsweredException(
                "no node answered (" + attempts.size() + " tried)", attempts);
          }
          pause(policy.backoff(failures));
          running.add(launch(exec, ranked.get(next++), false, call, done));
          lastLaunch = System.nanoTime();
          continue;
        }
        long now = System.nanoTime();
        long wait = Long.MAX_VALUE;
        for (Running r : running) {
          wait = Math.min(wait, r.startNanos() + policy.attemptTimeout().toNanos() - now);
        }
        boolean canHedge = !policy.hedgeAfter().isZero() && next < limit;
        if (canHedge) {
          wait = Math.min(wait, lastLaunch + policy.hedgeAfter().toNanos() - now);
        }
        Done<T> d = done.poll(Math.max(0, wait), TimeUnit.NANOSECONDS);
        now = System.nanoTime();
        if (d == null) {
          for (Running r : List.copyOf(running)) {
            if (now - r.startNanos() >= policy.attemptTimeout().toNanos()) {
              r.future().cancel(true);
              running.remove(r);
              attempts.add(new Attempt(r.node(), "timed out", took(r, now), r.hedged()));
              failures++;
              LOG.debug("{} timed out", r.node().endpoint());
            }
          }
          if (canHedge && now - lastLaunch >= policy.hedgeAfter().toNanos() && next < limit) {
            LOG.debug("no answer after {}, hedging to the next node", policy.hedgeAfter());
            running.add(launch(exec, ranked.get(next++), true, call, done));
            lastLaunch = now;
          }
          continue;
        }
        if (!running.remove(d.run())) {
          continue; // an attempt already counted as timed out answered late
        }
        if (d.error() == null) {
          attempts.add(new Attempt(d.run().node(), "ok", took(d.run(), now), d.run().hedged()));
          for (Running r : running) {
            r.future().cancel(true);
            attempts.add(new Attempt(r.node(), "abandoned", took(r, now), r.hedged()));
          }
          return new Routed<>(d.value(), d.run().node(), attempts);
        }
        Exception e = d.error();
        attempts.add(
            new Attempt(
                d.run().node(), "failed: " + reason(e), took(d.run(), now), d.run().hedged()));
        failures++;
        LOG.debug("{} failed: {}", d.run().node().endpoint(), reason(e));
        if (!retryable.test(e)) {
          for (Running r : running) {
            r.future().cancel(true);
          }
          throw e instanceof IOException io ? io : new IOException(reason(e), e);
        }
        if (next < limit) {
          pause(policy.backoff(failures));
          running.add(launch(exec, ranked.get(next++), false, call, done));
          lastLaunch = System.nanoTime();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for a node", e);
    } finally {
      // Never wait for abandoned attempts: their threads end when their sockets do.
      exec.shutdownNow();
    }
  }

  private static <T> Running launch(
      ExecutorService exec,
      Candidate node,
      boolean hedged,
      Call<T> call,
      BlockingQueue<Done<T>> done) {
    long start = System.nanoTime();
    java.util.concurrent.CompletableFuture<Running> self =
        new java.util.concurrent.CompletableFuture<>();
    Future<?> f =
        exec.submit(
            () -> {
              Running me = self.join();
              try {
                done.add(new Done<>(me, call.run(node), null));
              } catch (Exception e) {
                done.add(new Done<>(me, null, e));
              }
            });
    Running r = new Running(node, start, hedged, f);
    self.complete(r);
    return r;
  }

  private static Duration took(Running r, long now) {
    return Duration.ofNanos(now - r.startNanos());
  }

  private static void pause(Duration d) throws InterruptedException {
    if (!d.isZero()) {
      Thread.sleep(d);
    }
  }

  static String reason(Throwable e) {
    String m = e.getMessage();
    String s = e.getClass().getSimpleName();
    return m == null || m.isBlank() ? s : s + ": " + m;
  }
}
