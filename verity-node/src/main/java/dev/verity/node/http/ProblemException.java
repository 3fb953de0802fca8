package dev.verity.node.http;

import java.util.Map;
import java.util.Objects;

/**
 * Thrown by handlers to answer with a specific problem. Handlers throw; {@link ProblemMapper} is
 * the one place that turns any exception into a response.
 */
public final class ProblemException extends RuntimeException {
  private final Problem problem;
  private final Map<String, String> headers;

  public ProblemException(Problem problem) {
    this(problem, Map.of());
  }

  public ProblemException(Problem problem, Map<String, String> headers) {
    super(problem.detail());
    this.problem = Objects.requireNonNull(problem, "problem");
    this.headers = Map.copyOf(headers);
  }

  public Problem problem() {
    return problem;
  }

  /** Extra response headers, such as {@code Content-Range} on a 416 or {@code Upload-Offset}. */
  public Map<String, String> headers() {
    return headers;
  }

  public static ProblemException badRequest(String detail) {
    return new ProblemException(Problem.of(400, "bad-request", "Bad request", detail));
  }

  public static ProblemException forbidden(String detail) {
    return new ProblemException(Problem.of(403, "forbidden", "Forbidden", detail));
  }

  public static ProblemException notFound(String detail) {
    return new ProblemException(Problem.of(404, "not-found", "Not found", detail));
  }

  public static ProblemException conflict(String detail) {
    return new ProblemException(Problem.of(409, "conflict", "Conflict", detail));
  }

  public static ProblemException tooLarge(String detail) {
    return new ProblemException(Problem.of(413, "too-large", "Content too large", detail));
  }

  public static ProblemException unprocessable(String detail) {
    return new ProblemException(
        Problem.of(422, "verification-failed", "Verification failed", detail));
  }
}
