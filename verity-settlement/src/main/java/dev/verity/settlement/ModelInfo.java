package dev.verity.settlement;

import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.receipt.eth.EthAddress;
import java.time.Instant;
import java.util.Objects;

/** A model as ModelRegistry holds it: manifest digest, publisher account and Ed25519 key. */
public record ModelInfo(
    Digest digest,
    EthAddress publisher,
    Bytes publisherKey,
    String name,
    String version,
    Instant registeredAt) {
  public ModelInfo {
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(publisher, "publisher");
    Objects.requireNonNull(publisherKey, "publisherKey");
    if (publisherKey.length() != 32) {
      throw new IllegalArgumentException("an Ed25519 publisher key has 32 bytes");
    }
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(registeredAt, "registeredAt");
  }
}
