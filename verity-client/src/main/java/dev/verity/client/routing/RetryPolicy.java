package dev.verity.client.routing;

import java.time.Duration;
import java.util.Objects;

/**
 * How a routed request fails over: at most {@code maxAttempts} nodes; before each failover a pause
 * of {@code baseBackoff × 2^(failures-1)}, at most {@code maxBackoff}; a hedge (the same request to
 * the next node while the first is still running) after {@code hedgeAfter} without an answer
 * ({@link Duration#ZERO} = never hedge); and an attempt that takes longer than {@code
 * attemptTimeout} counts as failed.
 */
public record RetryPolicy(
    int maxAttempts,
    Duration baseBackoff,
    Duration maxBackoff,
    Duration hedgeAfter,
    Duration attemptTimeout) {

  /** 4 nodes, 100 ms backoff up to 2 s, hedge after 2 s, 120 s per attempt. */
  public static final RetryPolicy DEFAULT =
      new RetryPolicy(
          4,
          Duration.ofMillis(100),
          Duration.ofSeconds(2),
          Duration.ofSeconds(2),
          Duration.ofSeconds(120));

  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("at least one attempt, got " + maxAttempts);
    }
    Objects.requireNonNull(baseBackoff, "baseBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    Objects.requireNonNull(hedgeAfter, "hedgeAfter");
    Objects.requireNonNull(attemptTimeout, "attemptTimeout");
    if (baseBackoff.isNegative() || maxBackoff.isNegative() || hedgeAfter.isNegative()) {
      throw new IllegalArgumentException("durations must not be negative");
    }
    if (attemptTimeout.isNegative() || attemptTimeout.isZero()) {
      throw new IllegalArgumentException("attempt timeout must be positive");
    }
  }

  public RetryPolicy withHedgeAfter(Duration d) {
    return new RetryPolicy(maxAttempts, baseBackoff, maxBackoff, d, attemptTimeout);
  }

  public RetryPolicy withAttemptTimeout(Duration d) {
    return new RetryPolicy(maxAttempts, baseBackoff, maxBackoff, hedgeAfter, d);
  }

  public RetryPolicy withMaxAttempts(int n) {
    return new RetryPolicy(n, baseBackoff, maxBackoff, hedgeAfter, attemptTimeout);
  }

  /** The pause before the failover that follows the {@code failures}-th failure (1-based). */
  public Duration backoff(int failures) {
    if (failures <= 0 || baseBackoff.isZero()) {
      return Duration.ZERO;
    }
    Duration d = baseBackoff.multipliedBy(1L << Math.min(failures - 1, 20));
    return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
  }
}
