package dev.verity.hub.store;

import dev.verity.core.Digest;
import dev.verity.hub.manifest.SignedManifest;
import java.util.List;
import java.util.Objects;

/**
 * A model's ancestry: the manifest itself first, then its parent, grandparent and so on. Either
 * complete (the last manifest has no parent) or broken at a parent this store does not hold.
 */
public sealed interface Lineage {
  List<SignedManifest> chain();

  /** Every ancestor is in the store; the last manifest has no parent. */
  record Complete(List<SignedManifest> chain) implements Lineage {
    public Complete {
      chain = List.copyOf(chain);
    }
  }

  /** The last manifest names parent {@code missingParent}, which is not in this store. */
  record Broken(List<SignedManifest> chain, Digest missingParent) implements Lineage {
    public Broken {
      chain = List.copyOf(chain);
      Objects.requireNonNull(missingParent, "missingParent");
    }
  }
}
