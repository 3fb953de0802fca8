package dev.verity.engine;

import java.time.Duration;

/**
 * Resource limits checked before allocation: the largest single tensor and the total bytes of all
 * live tensors a run may hold, and the wall-clock deadline of one run.
 */
public record EngineLimits(long maxTensorBytes, long maxTotalBytes, Duration runDeadline) {
  public static final EngineLimits DEFAULT =
      new EngineLimits(1L << 30, 4L << 30, Duration.ofMinutes(5));

  public EngineLimits {
    if (maxTensorBytes <= 0 || maxTotalBytes <= 0) {
      throw new IllegalArgumentException("memory limits must be positive");
    }
    if (runDeadline.isNegative() || runDeadline.isZero()) {
      throw new IllegalArgumentException("run deadline must be positive");
    }
  }
}
