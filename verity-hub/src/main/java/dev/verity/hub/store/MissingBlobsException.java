package dev.verity.hub.store;

import dev.verity.core.Digest;
import dev.verity.core.VerityException;
import java.util.List;

/** A manifest cannot be published before all of its file blobs are uploaded. */
public class MissingBlobsException extends VerityException {
  private final List<Digest> missing;

  public MissingBlobsException(Digest manifest, List<Digest> missing) {
    super(
        "manifest "
            + manifest
            + " cannot be published: "
            + missing.size()
            + " file blob(s) not uploaded yet, first "
            + missing.get(0));
    this.missing = List.copyOf(missing);
  }

  public List<Digest> missing() {
    return missing;
  }
}
