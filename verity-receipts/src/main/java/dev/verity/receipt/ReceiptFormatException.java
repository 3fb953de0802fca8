package dev.verity.receipt;

/** Receipt bytes or JSON do not follow the format; the message names the field and the problem. */
public final class ReceiptFormatException extends IllegalArgumentException {
  public ReceiptFormatException(String message) {
    super(message);
  }

  public ReceiptFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
