package dev.verity.settlement;

import java.util.Optional;

/**
 * A settlement call failed. For a contract revert the message is the decoded reason, e.g. {@code
 * NodeRegistry: StakeBelowMinimum(stake=1, minimum=100)}, and {@link #errorName()} is the custom
 * error's name; otherwise it says what went wrong talking to the chain.
 */
public class SettlementException extends Exception {
  private final String errorName;

  public SettlementException(String message) {
    this(message, null, null);
  }

  public SettlementException(String message, Throwable cause) {
    this(message, null, cause);
  }

  public SettlementException(String message, String errorName, Throwable cause) {
    super(message, cause);
    this.errorName = errorName;
  }

  /** The Solidity error name of a decoded revert ({@code Error} for a plain require string). */
  public Optional<String> errorName() {
    return Optional.ofNullable(errorName);
  }
}
