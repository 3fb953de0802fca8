package dev.verity.client;

import java.io.IOException;
import java.util.Objects;

/**
 * The node answered with an error (an RFC 9457 problem). {@link #getMessage()} is the problem's
 * detail, which names what went wrong; {@link #status()} and {@link #title()} classify it.
 */
public final class VerityApiException extends IOException {
  private final int status;
  private final String type;
  private final String title;
  private final String detail;

  public VerityApiException(int status, String type, String title, String detail) {
    super(detail);
    this.status = status;
    this.type = Objects.requireNonNull(type, "type");
    this.title = Objects.requireNonNull(title, "title");
    this.detail = Objects.requireNonNull(detail, "detail");
  }

  public int status() {
    return status;
  }

  /** The problem type URI, for example {@code urn:verity:problem:not-found}. */
  public String type() {
    return type;
  }

  public String title() {
    return title;
  }

  public String detail() {
    return detail;
  }

  @Override
  public String toString() {
    return "VerityApiException[" + status + " " + title + ": " + detail + "]";
  }
}
