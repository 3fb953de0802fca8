package dev.verity.audit.draw;

import dev.verity.core.Bytes;
import dev.verity.receipt.eth.EthAddress;
import dev.verity.receipt.eth.Keccak;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The public audit lottery (docs/DRAW.md). A receipt is first logged and its checkpoint anchored in
 * block {@code anchorBlock}; the draw uses the hash of a later block, so the provider cannot know
 * when it signs whether the receipt will be audited.
 *
 * <pre>
 * seed      = keccak256(blockHash (32 bytes) || receiptDigest (32 bytes))
 * audited   = uint256(seed) &lt; ⌊p × 2^256⌋          (p = 1: always)
 * auditor   = StakeDraw.draw(seed, candidates, 1, {provider's operator}, capBps)
 * replicas  = StakeDraw.draw(seed, candidates, k, {}, capBps)
 * </pre>
 */
public final class AuditDraw {
  private static final BigInteger TWO_256 = BigInteger.ONE.shiftLeft(256);

  private AuditDraw() {}

  /** {@code keccak256(blockHash || receiptDigest)}. */
  public static Bytes seed(Bytes blockHash, Bytes receiptDigest) {
    check32(blockHash, "block hash");
    check32(receiptDigest, "receipt digest");
    return Bytes.copyOf(Keccak.keccak256(blockHash.toByteArray(), receiptDigest.toByteArray()));
  }

  /** {@code ⌊p × 2^256⌋}: the seed (as uint256) must be below it. */
  public static BigInteger threshold(BigDecimal p) {
    if (p.signum() < 0 || p.compareTo(BigDecimal.ONE) > 0) {
      throw new IllegalArgumentException("probability must be in [0, 1], got " + p);
    }
    return new BigDecimal(TWO_256).multiply(p).toBigInteger();
  }

  /**
   * Decides whether the receipt is audited and draws the auditor from other operators.
   *
   * @param anchorBlock block in which the receipt's checkpoint was anchored
   * @param drawBlock the block whose hash is used; must be after {@code anchorBlock}
   */
  public static AuditOutcome decide(
      Bytes receiptDigest,
      long anchorBlock,
      long drawBlock,
      Bytes drawBlockHash,
      BigDecimal p,
      List<Candidate> candidates,
      EthAddress providerOperator,
      int capBps) {
    Objects.requireNonNull(providerOperator, "providerOperator");
    if (drawBlock <= anchorBlock) {
      throw new IllegalArgumentException(
          "the draw block "
              + drawBlock
              + " must come after the anchoring block "
              + anchorBlock
              + ", or the provider could know the outcome before committing");
    }
    Bytes seed = seed(drawBlockHash, receiptDigest);
    if (new BigInteger(1, seed.toByteArray()).compareTo(threshold(p)) >= 0) {
      return new AuditOutcome.NotAudited(seed);
    }
    List<Candidate> auditor = StakeDraw.draw(seed, candidates, 1, Set.of(providerOperator), capBps);
    return auditor.isEmpty()
        ? new AuditOutcome.NoAuditorAvailable(seed)
        : new AuditOutcome.Audited(seed, auditor.getFirst());
  }

  /** The k replicas of a replicate:k request (distinct operators), seeded like an audit. */
  public static List<Candidate> replicas(
      Bytes requestDigest, Bytes blockHash, List<Candidate> candidates, int k, int capBps) {
    return StakeDraw.draw(seed(blockHash, requestDigest), candidates, k, Set.of(), capBps);
  }

  private static void check32(Bytes b, String what) {
    Objects.requireNonNull(b, what);
    if (b.length() != 32) {
      throw new IllegalArgumentException(what + " must be 32 bytes, got " + b.length());
    }
  }
}
