package dev.verity.settlement;

import dev.verity.core.Bytes;
import java.math.BigInteger;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** A mined, successful transaction and the Verity contract events it emitted, in log order. */
public record TxResult(
    Bytes txHash, long blockNumber, BigInteger gasUsed, List<ChainEvent> events) {
  public TxResult {
    Objects.requireNonNull(txHash, "txHash");
    if (txHash.length() != 32) {
      throw new IllegalArgumentException("transaction hash must be 32 bytes");
    }
    Objects.requireNonNull(gasUsed, "gasUsed");
    events = List.copyOf(events);
  }

  /** The first event with this name, if any. */
  public Optional<ChainEvent> event(String name) {
    return events.stream().filter(e -> e.name().equals(name)).findFirst();
  }
}
