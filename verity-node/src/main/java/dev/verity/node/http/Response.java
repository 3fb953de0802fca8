package dev.verity.node.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a handler answers: a status, extra headers and one of a few body kinds. The server writes
 * it; handlers never touch the exchange.
 */
public record Response(int status, Map<String, String> headers, Body body) {
  public Response {
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException("not an HTTP status: " + status);
    }
    headers = Map.copyOf(headers);
    Objects.requireNonNull(body, "body");
  }

  /** The kinds of body the server knows how to write. */
  public sealed interface Body {}

  /** No body at all (204, or a HEAD answer whose length is in {@code Content-Length}). */
  public record Empty() implements Body {}

  /** A value serialized with the node's JSON mapper. */
  public record Json(Object value, String contentType) implements Body {
    public Json {
      Objects.requireNonNull(value, "value");
      Objects.requireNonNull(contentType, "contentType");
    }
  }

  /** A stream of known length, closed by the server once written (or on failure). */
  public record Stream(String contentType, long length, InputStream in) implements Body {
    public Stream {
      Objects.requireNonNull(contentType, "contentType");
      Objects.requireNonNull(in, "in");
      if (length < 0) {
        throw new IllegalArgumentException("stream length must be >= 0, got " + length);
      }
    }
  }

  /**
   * A body of unknown length written incrementally with chunked encoding (for example server-sent
   * events); the writer should flush after each event.
   */
  public record Chunked(String contentType, BodyWriter writer) implements Body {
    public Chunked {
      Objects.requireNonNull(contentType, "contentType");
      Objects.requireNonNull(writer, "writer");
    }
  }

  /** Writes a chunked body. */
  @FunctionalInterface
  public interface BodyWriter {
    void writeTo(OutputStream out) throws IOException;
  }

  public static Response json(int status, Object value) {
    return new Response(status, Map.of(), new Json(value, "application/json"));
  }

  public static Response ok(Object value) {
    return json(200, value);
  }

  public static Response empty(int status) {
    return new Response(status, Map.of(), new Empty());
  }

  public static Response stream(int status, String contentType, long length, InputStream in) {
    return new Response(status, Map.of(), new Stream(contentType, length, in));
  }

  public static Response chunked(int status, String contentType, BodyWriter writer) {
    return new Response(status, Map.of(), new Chunked(contentType, writer));
  }

  public Response withHeader(String name, String value) {
    Map<String, String> h = new LinkedHashMap<>(headers);
    h.put(name, value);
    return new Response(status, h, body);
  }
}
