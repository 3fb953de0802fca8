package dev.verity.settlement;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A decoded contract event. Argument values are rendered as text: addresses with the EIP-55
 * checksum, integers in decimal, bytes as {@code 0x}-hex, arrays as {@code [a, b]}.
 */
public record ChainEvent(String contract, String name, Map<String, String> args) {
  public ChainEvent {
    Objects.requireNonNull(contract, "contract");
    Objects.requireNonNull(name, "name");
    args = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(args));
  }

  /** The argument's value; throws naming the event if it has no such argument. */
  public String arg(String argName) {
    String v = args.get(argName);
    if (v == null) {
      throw new IllegalArgumentException(contract + "." + name + " has no argument " + argName);
    }
    return v;
  }
}
