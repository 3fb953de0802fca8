package dev.verity.node.openai;

import dev.verity.node.http.Problem;
import dev.verity.node.http.ProblemException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Errors of the OpenAI-compatible API. Each is an RFC 9457 problem (like every node error) that
 * also carries the member {@code error: {message, type, param, code}}, which is what OpenAI client
 * libraries read from an error body.
 */
final class OpenAiError {
  private OpenAiError() {}

  /** A 400 naming the offending request parameter. */
  static ProblemException invalid(String param, String message) {
    return of(400, "bad-request", "Bad request", message, "invalid_request_error", param, null);
  }

  /** A 400 for a parameter whose value Verity does not support. */
  static ProblemException unsupported(String param, String message) {
    return of(
        400,
        "unsupported-parameter",
        "Unsupported parameter",
        message,
        "invalid_request_error",
        param,
        "unsupported_parameter");
  }

  static ProblemException modelNotFound(String model, String message) {
    return of(
        404,
        "model-not-found",
        "Model not found",
        message,
        "invalid_request_error",
        "model",
        "model_not_found");
  }

  /** A request over a generation limit: {@code limit} is context_length or max_tokens. */
  static ProblemException limit(String limit, long allowed, long requested, String message) {
    String code =
        limit.equals("context_length") ? "context_length_exceeded" : "max_tokens_exceeded";
    String param = limit.equals("context_length") ? "messages" : "max_tokens";
    ProblemException base =
        of(400, "limit-exceeded", "Limit exceeded", message, "invalid_request_error", param, code);
    Problem p =
        base.problem().with("limit", limit).with("allowed", allowed).with("requested", requested);
    return new ProblemException(p);
  }

  static ProblemException of(
      int status,
      String slug,
      String title,
      String message,
      String type,
      String param,
      String code) {
    return new ProblemException(
        Problem.of(status, slug, title, message).with("error", body(message, type, param, code)));
  }

  /** The OpenAI error object; {@code param} and {@code code} may be null. */
  static Map<String, Object> body(String message, String type, String param, String code) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("message", message);
    e.put("type", type);
    e.put("param", param);
    e.put("code", code);
    return e;
  }
}
