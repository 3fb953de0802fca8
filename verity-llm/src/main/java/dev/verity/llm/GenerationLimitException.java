package dev.verity.llm;

import dev.verity.engine.InferenceException;

/**
 * A request exceeds a limit; {@link #limit()} names it ({@code context_length} or {@code
 * max_tokens}) so an API can answer 400 with that name.
 */
public final class GenerationLimitException extends InferenceException {
  private final String limit;
  private final long allowed;
  private final long requested;

  public GenerationLimitException(String limit, long allowed, long requested, String message) {
    super(message);
    this.limit = limit;
    this.allowed = allowed;
    this.requested = requested;
  }

  public String limit() {
    return limit;
  }

  public long allowed() {
    return allowed;
  }

  public long requested() {
    return requested;
  }
}
