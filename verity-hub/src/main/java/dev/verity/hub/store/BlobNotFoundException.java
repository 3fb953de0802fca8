package dev.verity.hub.store;

import dev.verity.core.Digest;
import dev.verity.core.VerityException;

/** No blob with this digest is stored. */
public class BlobNotFoundException extends VerityException {
  private final Digest digest;

  public BlobNotFoundException(Digest digest) {
    super("blob " + digest + " is not in the store");
    this.digest = digest;
  }

  public Digest digest() {
    return digest;
  }
}
