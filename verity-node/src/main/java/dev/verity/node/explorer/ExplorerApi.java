package dev.verity.node.explorer;

import dev.verity.node.http.ApiModule;
import dev.verity.node.http.ProblemException;
import dev.verity.node.http.Request;
import dev.verity.node.http.Response;
import dev.verity.node.http.Router;
import java.util.Arrays;

/**
 * Serves the explorer: {@code GET /explorer/} (the single page), {@code GET /explorer/{file}} (its
 * scripts, styles and images) and redirects from {@code /} and {@code /explorer}. Every file goes
 * out with a strict Content-Security-Policy (scripts and styles only from this origin, no inline
 * code, API calls only to this origin) and an ETag; clients revalidate ({@code no-cache}) because
 * file names are not versioned.
 */
public final class ExplorerApi implements ApiModule {
  public static final String PREFIX = "/explorer/";

  /** The policy for every explorer file; the pages build DOM nodes and never use inline code. */
  public static final String CONTENT_SECURITY_POLICY =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none';"
          + " form-action 'self'; frame-ancestors 'none'";

  private final ExplorerFiles files;

  public ExplorerApi(ExplorerFiles files) {
    this.files = files;
  }

  @Override
  public void register(Router router) {
    router.get("/", req -> redirect());
    router.get("/explorer", req -> redirect());
    router.get(PREFIX, req -> serve(req, "index.html"));
    router.get(PREFIX + "{file}", req -> serve(req, req.param("file")));
  }

  private static Response redirect() {
    // 302, not 301: the root may serve something else one day, and browsers cache 301s forever.
    return Response.empty(302)
        .withHeader("Location", PREFIX)
        .withHeader("Cache-Control", "no-cache");
  }

  private Response serve(Request req, String name) {
    ExplorerFiles.StaticFile f =
        files
            .find(name)
            .orElseThrow(
                () -> ProblemException.notFound("no explorer file '" + abbreviate(name) + "'"));
    if (matches(req.header("If-None-Match").orElse(""), f.etag())) {
      return secured(Response.empty(304), f);
    }
    return secured(
        Response.stream(200, f.contentType(), f.content().length(), f.content().newInputStream()),
        f);
  }

  private static Response secured(Response r, ExplorerFiles.StaticFile f) {
    return r.withHeader("ETag", f.etag())
        .withHeader("Cache-Control", "no-cache")
        .withHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        .withHeader("X-Content-Type-Options", "nosniff")
        .withHeader("Referrer-Policy", "no-referrer")
        .withHeader("X-Frame-Options", "DENY")
        .withHeader("Cross-Origin-Opener-Policy", "same-origin");
  }

  static boolean matches(String ifNoneMatch, String etag) {
    if (ifNoneMatch.isBlank()) {
      return false;
    }
    return Arrays.stream(ifNoneMatch.split(","))
        .map(String::trim)
        .map(t -> t.startsWith("W/") ? t.substring(2) : t)
        .anyMatch(t -> t.equals("*") || t.equals(etag));
  }

  private static String abbreviate(String s) {
    String clean = s.replaceAll("[^\\x20-\\x7e]", "?");
    return clean.length() <= 80 ? clean : clean.substring(0, 80) + "…";
  }
}
