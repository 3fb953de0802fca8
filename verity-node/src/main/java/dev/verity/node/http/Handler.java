package dev.verity.node.http;

/** Handles one matched request. Throw to fail: the server maps exceptions to problem+json. */
@FunctionalInterface
public interface Handler {
  Response handle(Request request) throws Exception;
}
