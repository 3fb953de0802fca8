package dev.verity.audit.bisect;

import dev.verity.core.Digest;

/**
 * Re-executes the single step a bisection pinned and checks one party's committed output for it.
 * The step's inputs come from leaves before the disputed one, which both traces hold identically.
 *
 * @param <L> the engine's leaf opening type
 */
public interface SingleStepReferee<L> {
  /** The RFC 9162 leaf hash of an opening ({@code SHA-256(0x00 || leaf bytes)}). */
  Digest leafHash(L leaf);

  /** Throws unless {@code leaf} is leaf {@code index} of the tree with {@code root}. */
  void verifyOpening(long index, Digest root, long leafCount, L leaf) throws StepMismatchException;

  /**
   * Throws {@link StepMismatchException} if {@code claimed} (the party's opening of {@code
   * leafIndex}) does not verify under {@code root} or is not what re-executing the step from the
   * agreed inputs produces.
   */
  void checkStep(long leafIndex, Digest root, long leafCount, L claimed, AgreedLeaves<L> agreed)
      throws StepMismatchException;

  /**
   * The output step (both traces equal, outputs disputed): throws if {@code claimedOutputDigest} is
   * not the digest of the outputs the committed trace holds.
   */
  void checkOutput(Digest root, long leafCount, Digest claimedOutputDigest, AgreedLeaves<L> agreed)
      throws StepMismatchException;

  /** Leaves both parties committed to identically, each verified before it is returned. */
  interface AgreedLeaves<L> {
    L open(long index) throws StepMismatchException;
  }
}
