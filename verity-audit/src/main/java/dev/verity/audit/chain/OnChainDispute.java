package dev.verity.audit.chain;

import dev.verity.audit.bisect.BisectionMove;
import dev.verity.audit.bisect.BisectionParty;
import dev.verity.audit.bisect.DisputeGame;
import dev.verity.audit.bisect.DisputeOutcome;
import dev.verity.audit.bisect.SingleStepReferee;
import dev.verity.audit.bisect.Verdict;
import dev.verity.audit.draw.Candidate;
import dev.verity.audit.draw.StakeDraw;
import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.receipt.ReceiptKey;
import dev.verity.receipt.SignedReceipt;
import dev.verity.receipt.eth.EthAddress;
import dev.verity.receipt.eth.EthSignature;
import dev.verity.receipt.eth.Keccak;
import dev.verity.settlement.NodeInfo;
import dev.verity.settlement.SettlementException;
import dev.verity.settlement.dispute.DisputePhase;
import dev.verity.settlement.dispute.DisputeState;
import dev.verity.settlement.dispute.VerdictTypedData;
import dev.verity.settlement.evm.EvmDisputes;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Plays the dispute game against DisputeManager.sol: the challenger opens, each party moves from
 * its own committed trace, referees judge the pinned step with a {@link SingleStepReferee} and sign
 * EIP-712 verdicts. What a node calls once it is a party or a drawn referee.
 */
public final class OnChainDispute {
  private OnChainDispute() {}

  /** Opens a dispute over {@code receipt} with the challenger's own trace; returns its id. */
  public static Bytes open(
      EvmDisputes challengerClient,
      SignedReceipt receipt,
      BisectionParty<?> challenger,
      Digest challengerOutput,
      BigInteger bondWei)
      throws SettlementException {
    return challengerClient
        .open(receipt, challenger.root(), challenger.leafCount(), challengerOutput, bondWei)
        .id();
  }

  /**
   * Submits {@code party}'s move for the current round if the dispute is bisecting; returns false
   * when it is not (pinned or resolved). A party that cannot produce a move returns false too and
   * will lose by timeout.
   */
  public static boolean move(EvmDisputes client, Bytes id, BisectionParty<?> party)
      throws SettlementException {
    DisputeState s = client.dispute(id);
    if (s.phase() != DisputePhase.BISECTING) {
      return false;
    }
    Optional<BisectionMove> m = party.move(s.round(), s.start(), s.size());
    if (m.isEmpty()) {
      return false;
    }
    client.move(id, m.get().left().value(), m.get().right().value());
    return true;
  }

  /** Both parties at hand (tests, simulations): moves until the step is pinned. */
  public static DisputeState bisect(
      Bytes id,
      EvmDisputes providerClient,
      BisectionParty<?> provider,
      EvmDisputes challengerClient,
      BisectionParty<?> challenger)
      throws SettlementException {
    while (providerClient.dispute(id).phase() == DisputePhase.BISECTING) {
      if (!move(providerClient, id, provider) || !move(challengerClient, id, challenger)) {
        break;
      }
    }
    return providerClient.dispute(id);
  }

  /**
   * A referee's verdict on a pinned dispute. {@code providerRoot} and {@code challengerRoot} are
   * the committed roots from the DisputeOpened event; each party object must commit to its root,
   * and its opening of the pinned leaf must hash to the pinned hash, or that side is wrong.
   */
  public static <L> Verdict verdict(
      DisputeState pinned,
      Digest providerRoot,
      Digest challengerRoot,
      SingleStepReferee<L> referee,
      BisectionParty<L> provider,
      BisectionParty<L> challenger,
      Digest providerOutput,
      Digest challengerOutput) {
    if (pinned.phase() != DisputePhase.REFEREEING && pinned.phase() != DisputePhase.AWAITING_DRAW) {
      throw new IllegalStateException("dispute is " + pinned.phase() + ", not at a pinned step");
    }
    DisputeGame<L> game = new DisputeGame<>(referee);
    long leaf = pinned.start();
    if (leaf == pinned.leafCount()) {
      return game.judgeOutput(provider, challenger, providerOutput, challengerOutput).verdict();
    }
    boolean pOk = commits(referee, provider, providerRoot, leaf, pinned.providerHash());
    boolean cOk = commits(referee, challenger, challengerRoot, leaf, pinned.challengerHash());
    DisputeOutcome.Judged j =
        game.judgeStep(
            leaf,
            pinned.round(),
            pOk ? provider : BisectionParty.silent(provider.root(), provider.leafCount()),
            cOk ? challenger : BisectionParty.silent(challenger.root(), challenger.leafCount()));
    return j.verdict();
  }

  /**
   * A referee's verdict on a pinned dispute over a receipt issued without a trace: the challenger
   * chose the dispute's leaf count at open and the provider committed its root over that count
   * later ({@code providerRoot} from {@code deferredRoots}). The model alone fixes the count
   * ({@code modelLeafCount}, StrictStepReferee.leafCount()), so another count is the challenger's
   * error and the provider, who had to follow it, is correct. Otherwise as {@link #verdict}.
   */
  public static <L> Verdict deferredVerdict(
      DisputeState pinned,
      long modelLeafCount,
      Digest providerRoot,
      Digest challengerRoot,
      SingleStepReferee<L> referee,
      BisectionParty<L> provider,
      BisectionParty<L> challenger,
      Digest providerOutput,
      Digest challengerOutput) {
    if (pinned.leafCount() != modelLeafCount) {
      return Verdict.PROVIDER_CORRECT;
    }
    return verdict(
        pinned,
        providerRoot,
        challengerRoot,
        referee,
        provider,
        challenger,
        providerOutput,
        challengerOutput);
  }

  /** The referee's EIP-712 signature over its verdict on the pinned step. */
  public static EthSignature sign(
      ReceiptKey refereeKey, EvmDisputes client, DisputeState pinned, Verdict verdict) {
    return VerdictTypedData.sign(
        refereeKey,
        client.verdictDomain(),
        pinned.id(),
        pinned.start(),
        pinned.providerHash(),
        pinned.challengerHash(),
        verdict.code);
  }

  /**
   * The referee set the contract draws, recomputed off-chain: nodes in registry order, eligible
   * when not banned and staked at least {@code minStake}, both parties' operators excluded; seed
   * {@code keccak256(blockhash(drawBlock) || disputeId)}.
   */
  public static List<Candidate> expectedReferees(
      List<NodeInfo> registryOrder,
      BigInteger minStake,
      EthAddress providerOperator,
      EthAddress challenger,
      Bytes drawBlockHash,
      Bytes disputeId,
      int k,
      int capBps) {
    List<Candidate> eligible = new ArrayList<>();
    for (NodeInfo n : registryOrder) {
      if (!n.banned() && n.stakeWei().signum() > 0 && n.stakeWei().compareTo(minStake) >= 0) {
        eligible.add(new Candidate(n.node(), n.operator(), n.stakeWei()));
      }
    }
    Bytes seed =
        Bytes.copyOf(Keccak.keccak256(drawBlockHash.toByteArray(), disputeId.toByteArray()));
    return StakeDraw.draw(seed, eligible, k, Set.of(providerOperator, challenger), capBps);
  }

  private static <L> boolean commits(
      SingleStepReferee<L> referee, BisectionParty<L> party, Digest root, long leaf, Bytes pinned) {
    if (!party.root().equals(root)) {
      return false;
    }
    Optional<L> o = party.open(leaf);
    return o.isPresent() && referee.leafHash(o.get()).value().equals(pinned);
  }
}
