package dev.verity.node.http;

import dev.verity.core.DigestMismatchException;
import dev.verity.core.FormatException;
import dev.verity.core.SignatureVerificationException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where exceptions become problem+json responses. Handlers stay thin: they throw
 * domain exceptions and this class decides the status. Unknown failures become a 500 whose detail
 * names only the request id, so internals never leak to clients.
 */
public final class ProblemMapper {
  private static final Logger log = LoggerFactory.getLogger(ProblemMapper.class);

  /** A problem plus the extra headers it travels with. */
  public record Mapped(Problem problem, Map<String, String> headers) {}

  private ProblemMapper() {}

  public static Mapped map(Throwable e, String requestId) {
    return switch (e) {
      case ProblemException p -> new Mapped(p.problem(), p.headers());
      case DigestMismatchException d ->
          new Mapped(
              Problem.of(422, "digest-mismatch", "Digest mismatch", d.getMessage())
                  .with("expected", d.expected().toString())
                  .with("actual", d.actual().toString()),
              Map.of());
      case SignatureVerificationException s ->
          new Mapped(
              Problem.of(422, "bad-signature", "Signature verification failed", s.getMessage()),
              Map.of());
      case FormatException f ->
          new Mapped(Problem.of(400, "bad-format", "Malformed input", f.getMessage()), Map.of());
      case BodyReadException b ->
          new Mapped(
              Problem.of(400, "incomplete-body", "Incomplete request body", b.getMessage()),
              Map.of());
      case IllegalArgumentException i ->
          new Mapped(Problem.of(400, "bad-request", "Bad request", i.getMessage()), Map.of());
      default -> {
        Mapped hub = HubProblems.map(e);
        if (hub != null) {
          yield hub;
        }
        log.error("request {} failed", requestId, e);
        yield new Mapped(
            Problem.of(
                500,
                "internal",
                "Internal error",
                "the node failed to handle this request; see its log for request " + requestId),
            Map.of());
      }
    };
  }
}
