package dev.verity.node.http;

import java.io.IOException;

/**
 * Reading the request body failed: the client closed the connection or sent fewer bytes than it
 * declared. Distinguished from the node's own I/O failures so it maps to a 400, not a 500.
 */
public final class BodyReadException extends IOException {
  public BodyReadException(String message, Throwable cause) {
    super(message, cause);
  }
}
