package dev.verity.audit.bisect;

/** A party's move or opening does not match its own commitment; that party loses. */
public final class InvalidMoveException extends Exception {
  private final Side side;

  public InvalidMoveException(Side side, String message) {
    super(side + ": " + message);
    this.side = side;
  }

  public Side side() {
    return side;
  }
}
