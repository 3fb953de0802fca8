package dev.verity.log;

/**
 * Where the Merkle algorithms read hashes of complete, aligned subtrees: the subtree of {@code
 * 2^level} leaves starting at leaf {@code index * 2^level}. Level 0 is the leaf hashes.
 */
public interface HashSource {
  /**
   * Returns the 32-byte hash; callers only ask for subtrees that lie entirely inside the tree they
   * are working on.
   */
  byte[] completeSubtree(int level, long index);
}
