package dev.verity.client;

import dev.verity.log.note.VerifierKey;
import java.util.Objects;

/**
 * Who a node is: the address its receipts name (ecrecover of their signatures), its log origin and
 * the key that signs its checkpoints, and the log's current size.
 */
public record NodeIdentity(String address, String origin, VerifierKey logKey, long logSize) {
  public NodeIdentity {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(logKey, "logKey");
  }
}
