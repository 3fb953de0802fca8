package dev.verity.core.dsse;

import dev.verity.core.Bytes;
import java.util.Objects;

/**
 * One DSSE signature: an unauthenticated key id hint ({@code ""} when absent) and the signature
 * bytes over the PAE of the envelope's payload.
 */
public record DsseSignature(String keyid, Bytes sig) {
  public DsseSignature {
    Objects.requireNonNull(keyid, "keyid");
    Objects.requireNonNull(sig, "sig");
  }
}
