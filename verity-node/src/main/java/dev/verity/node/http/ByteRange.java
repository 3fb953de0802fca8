package dev.verity.node.http;

import java.util.Map;
import java.util.Optional;

/**
 * One satisfiable byte range of a resource of known size ({@code first..last} inclusive), parsed
 * from an HTTP {@code Range} header (RFC 9110 §14.1.2). Only a single range is supported.
 */
public record ByteRange(long first, long last, long size) {
  public ByteRange {
    if (first < 0 || last < first || last >= size) {
      throw new IllegalArgumentException(
          "invalid range " + first + "-" + last + " of " + size + " bytes");
    }
  }

  public long length() {
    return last - first + 1;
  }

  /** {@code bytes first-last/size}, for {@code Content-Range}. */
  public String contentRange() {
    return "bytes " + first + "-" + last + "/" + size;
  }

  /**
   * Parses {@code bytes=a-b}, {@code bytes=a-} or {@code bytes=-n} against a resource of {@code
   * size} bytes. Empty when there is no header.
   *
   * @throws ProblemException 400 if the header is malformed or names several ranges, 416 (with
   *     {@code Content-Range: bytes * /size}) if the range lies outside the resource
   */
  public static Optional<ByteRange> parse(Optional<String> header, long size) {
    if (header.isEmpty()) {
      return Optional.empty();
    }
    String h = header.get().trim();
    if (!h.startsWith("bytes=")) {
      throw ProblemException.badRequest(
          "Range header must use the 'bytes' unit, like 'bytes=0-1023': " + Request.abbreviate(h));
    }
    String spec = h.substring("bytes=".length()).trim();
    if (spec.contains(",")) {
      throw ProblemException.badRequest("only a single byte range is supported, got: " + spec);
    }
    int dash = spec.indexOf('-');
    if (dash < 0) {
      throw ProblemException.badRequest("Range must look like 'bytes=FIRST-LAST': " + spec);
    }
    String a = spec.substring(0, dash).trim();
    String b = spec.substring(dash + 1).trim();
    long first;
    long last;
    try {
      if (a.isEmpty()) {
        long suffix = Long.parseLong(b);
        if (suffix <= 0 || size == 0) {
          throw unsatisfiable(spec, size);
        }
        first = Math.max(0, size - suffix);
        last = size - 1;
      } else {
        first = Long.parseLong(a);
        last = b.isEmpty() ? size - 1 : Math.min(Long.parseLong(b), size - 1);
        if (first < 0 || (!b.isEmpty() && Long.parseLong(b) < first)) {
          throw ProblemException.badRequest("Range end is before its start: " + spec);
        }
        if (first >= size) {
          throw unsatisfiable(spec, size);
        }
      }
    } catch (NumberFormatException e) {
      throw ProblemException.badRequest("Range must look like 'bytes=FIRST-LAST': " + spec);
    }
    return Optional.of(new ByteRange(first, last, size));
  }

  private static ProblemException unsatisfiable(String spec, long size) {
    return new ProblemException(
        Problem.of(
            416,
            "range-not-satisfiable",
            "Range not satisfiable",
            "range " + spec + " lies outside the resource, which has " + size + " bytes"),
        Map.of("Content-Range", "bytes */" + size));
  }
}
