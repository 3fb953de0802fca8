package dev.verity.settlement.evm;

import static dev.verity.settlement.evm.TestChain.ETH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.engine.NumericMode;
import dev.verity.receipt.Receipt;
import dev.verity.receipt.ReceiptDomain;
import dev.verity.receipt.ReceiptKey;
import dev.verity.receipt.SignedReceipt;
import dev.verity.receipt.VerificationPolicy;
import dev.verity.receipt.eth.EthAddress;
import dev.verity.receipt.eth.EthSignature;
import dev.verity.settlement.ChainEvent;
import dev.verity.settlement.NodeInfo;
import dev.verity.settlement.SettlementException;
import dev.verity.settlement.TxResult;
import dev.verity.settlement.dispute.DisputeParameters;
import dev.verity.settlement.dispute.DisputePhase;
import dev.verity.settlement.dispute.DisputeState;
import dev.verity.settlement.dispute.VerdictTypedData;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * DisputeManager on a real Anvil: bisection on-chain over two committed trace trees, a referee set
 * drawn from other operators, signed verdicts, slashing and bonds, timeouts and every rejection.
 */
class DisputeManagerTest {
  static final Digest MODEL = TestChain.digest("dispute model");
  static final BigInteger BOND = ETH.divide(BigInteger.TEN);
  static final int LEAVES = 12;
  static final AtomicInteger REQUESTS = new AtomicInteger();
  static TestChain chain;
  static EthAddress dmAddress;
  static EvmSettlement registryView;
  static EvmDisputes providerOp;
  static EvmDisputes challenger;
  static EvmDisputes stranger;
  static final Map<EthAddress, ReceiptKey> refereeKeys = new HashMap<>();

  @BeforeAll
  static void start() throws Exception {
    chain = TestChain.start();
    dmAddress =
        EvmDisputes.deploy(
            chain.anvil.rpcUrl(),
            chain.deployment,
            TestChain.key(0),
            new DisputeParameters(BOND, 100, 100, 3, 10_000));
    chain.as(9).registerModel(MODEL, "dispute-model", "1", TestChain.ed25519Key("d"));
    // Operators 2, 3, 4 run one referee-eligible node each.
    for (int acct = 2; acct <= 4; acct++) {
      ReceiptKey k = ReceiptKey.generate(new SecureRandom());
      chain.as(acct).registerNode(k, "http://127.0.0.1:92" + acct + "0", List.of(MODEL), ETH);
      refereeKeys.put(k.address(), k);
    }
    registryView = chain.as(0);
    providerOp = disputes(1);
    challenger = disputes(5);
    stranger = disputes(6);
  }

  static EvmDisputes disputes(int acct) throws SettlementException {
    return EvmDisputes.connect(
        chain.anvil.rpcUrl(), chain.deployment, dmAddress, TestChain.key(acct));
  }

  @AfterAll
  static void stop() {
    chain.close();
  }

  // ------------------------------------------------------------------ RFC 9162 trees for tests

  static Bytes leaf(String s) {
    return sha(new byte[] {0}, s.getBytes());
  }

  static Bytes sha(byte[]... parts) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (byte[] p : parts) {
        md.update(p);
      }
      return Bytes.copyOf(md.digest());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static Bytes root(List<Bytes> h, int from, int to) {
    if (to - from == 1) {
      return h.get(from);
    }
    int k = Integer.highestOneBit(to - from - 1);
    return sha(
        new byte[] {1}, root(h, from, from + k).toByteArray(), root(h, from + k, to).toByteArray());
  }

  static List<Bytes> trace(int lieAt) {
    List<Bytes> out = new ArrayList<>();
    for (int i = 0; i < LEAVES; i++) {
      out.add(leaf(i == lieAt ? "lie " + i : "leaf " + i));
    }
    return out;
  }

  /** A provider node (operator account 1) with a fresh key and 1 ETH stake. */
  static ReceiptKey newProvider() throws Exception {
    ReceiptKey k = ReceiptKey.generate(new SecureRandom());
    chain.as(1).registerNode(k, "http://127.0.0.1:9100", List.of(MODEL), ETH);
    return k;
  }

  static SignedReceipt receipt(ReceiptKey node, List<Bytes> leaves, Digest output) {
    Receipt r =
        Receipt.builder()
            .model(MODEL)
            .engine("strict", "0.1.0", TestChain.digest("engine config"), NumericMode.BITWISE)
            .input(TestChain.digest("input"))
            .output(output)
            .trace(new Digest(root(leaves, 0, leaves.size())), leaves.size())
            .node(node.address())
            .requestId("dispute-" + REQUESTS.incrementAndGet())
            .timeMillis(1_764_000_000_000L)
            .policy(VerificationPolicy.parse("sample:0.5"))
            .seed(7)
            .build();
    return SignedReceipt.sign(r, chain.deployment.receiptDomain(), node);
  }

  /** A receipt issued without a trace (policy none): the trace is committed on demand. */
  static SignedReceipt deferredReceipt(ReceiptKey node, Digest output) {
    Receipt r =
        Receipt.builder()
            .model(MODEL)
            .engine("strict", "0.1.0", TestChain.digest("engine config"), NumericMode.BITWISE)
            .input(TestChain.digest("input"))
            .output(output)
            .node(node.address())
            .requestId("deferred-" + REQUESTS.incrementAndGet())
            .timeMillis(1_764_000_000_000L)
            .policy(VerificationPolicy.NONE)
            .seed(7)
            .build();
    assertThat(r.traceLeaves()).isZero();
    return SignedReceipt.sign(r, chain.deployment.receiptDomain(), node);
  }

  /**
   * A provider node whose receipt key can also send transactions (the same secp256k1 secret as an
   * EVM account, given gas money with anvil_setBalance); returns the key and its dispute client.
   */
  static Map.Entry<ReceiptKey, EvmDisputes> newProviderWithNodeAccount() throws Exception {
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    ReceiptKey k = ReceiptKey.fromPrivateKey(secret);
    EvmKey evm = EvmKey.fromPrivateKey(secret);
    assertThat(evm.address()).isEqualTo(k.address());
    chain.as(1).registerNode(k, "http://127.0.0.1:9100", List.of(MODEL), ETH);
    chain.anvil.rpc("anvil_setBalance", "[\"" + k.address() + "\",\"0xde0b6b3a7640000\"]");
    return Map.entry(
        k, EvmDisputes.connect(chain.anvil.rpcUrl(), chain.deployment, dmAddress, evm));
  }

  static final Digest OUT = TestChain.digest("output");
  static final Digest OTHER_OUT = TestChain.digest("other output");

  /** Plays bisection moves until the step is pinned; returns the pinned leaf index. */
  static long bisect(Bytes id, List<Bytes> p, List<Bytes> c) throws Exception {
    while (true) {
      DisputeState s = challenger.dispute(id);
      if (s.phase() != DisputePhase.BISECTING) {
        return s.start();
      }
      int start = (int) s.start();
      int size = (int) s.size();
      int k = Integer.highestOneBit(size - 1);
      providerOp.move(id, root(p, start, start + k), root(p, start + k, start + size));
      challenger.move(id, root(c, start, start + k), root(c, start + k, start + size));
    }
  }

  /** Mines past the draw block and draws; returns the referee set. */
  static List<EthAddress> draw(Bytes id) throws Exception {
    assertThatThrownBy(() -> stranger.drawReferees(id))
        .isInstanceOf(SettlementException.class)
        .hasMessageContaining("DrawTooEarly");
    // The draw block must be mined, and the simulation runs at the latest block: two blocks.
    chain.anvil.mine();
    chain.anvil.mine();
    stranger.drawReferees(id);
    return stranger.referees(id);
  }

  static EthSignature vote(EthAddress referee, Bytes id, int winner) throws Exception {
    DisputeState s = stranger.dispute(id);
    return VerdictTypedData.sign(
        refereeKeys.get(referee),
        stranger.verdictDomain(),
        id,
        s.start(),
        s.providerHash(),
        s.challengerHash(),
        winner);
  }

  static NodeInfo node(EthAddress a) throws Exception {
    return registryView.node(a).orElseThrow();
  }

  // ------------------------------------------------------------------ tests

  @Test
  void verdictDigest_matchesGoldenVector_andContract() throws Exception {
    assertThat(VerdictTypedData.VERDICT_TYPEHASH.toHex())
        .isEqualTo("3d498f8d21c78204ea9982d951ca358d36a73b408bfd9a9f902932f2d4cb993f");
    byte[] dd = new byte[20];
    dd[19] = (byte) 0xdd;
    Bytes golden =
        VerdictTypedData.digest(
            new ReceiptDomain(31337, new EthAddress(Bytes.copyOf(dd))),
            Bytes.fromHex("11".repeat(32)),
            5,
            Bytes.fromHex("22".repeat(32)),
            Bytes.fromHex("33".repeat(32)),
            2);
    assertThat(golden.toHex())
        .isEqualTo("7d31708f471a742bef088c74fc860c34a70996ae8d4e0688a49b40dab17767ce");
    // Changing any member changes the digest.
    assertThat(
            VerdictTypedData.digest(
                    new ReceiptDomain(31337, new EthAddress(Bytes.copyOf(dd))),
                    Bytes.fromHex("11".repeat(32)),
                    6,
                    Bytes.fromHex("22".repeat(32)),
                    Bytes.fromHex("33".repeat(32)),
                    2)
                .toHex())
        .isNotEqualTo(golden.toHex());
    ReceiptKey provider = newProvider();
    SignedReceipt r = receipt(provider, trace(3), OUT);
    List<Bytes> honest = trace(-1);
    Bytes id = challenger.open(r, new Digest(root(honest, 0, LEAVES)), LEAVES, OUT, BOND).id();
    bisect(id, trace(3), honest);
    DisputeState s = challenger.dispute(id);
    assertThat(challenger.verdictDigest(id, 2))
        .isEqualTo(
            VerdictTypedData.digest(
                challenger.verdictDomain(),
                id,
                s.start(),
                s.providerHash(),
                s.challengerHash(),
                2));
  }

  @Test
  void honestChallenger_winsByReferees_providerSlashedAndBanned() throws Exception {
    ReceiptKey provider = newProvider();
    List<Bytes> lying = trace(7);
    List<Bytes> honest = trace(-1);
    SignedReceipt r = receipt(provider, lying, OUT);
    EvmDisputes.Opened opened =
        challenger.open(r, new Digest(root(honest, 0, LEAVES)), LEAVES, OTHER_OUT, BOND);
    Bytes id = opened.id();
    ChainEvent ev = opened.tx().event("DisputeOpened").orElseThrow();
    assertThat(ev.arg("node")).isEqualTo(provider.address().toString());
    assertThat(bisect(id, lying, honest)).isEqualTo(7);
    DisputeState pinned = challenger.dispute(id);
    assertThat(pinned.phase()).isEqualTo(DisputePhase.AWAITING_DRAW);
    assertThat(pinned.providerHash()).isEqualTo(lying.get(7));
    assertThat(pinned.challengerHash()).isEqualTo(honest.get(7));
    assertThat(pinned.round()).isEqualTo(4); // ⌈log2 12⌉

    List<EthAddress> refs = draw(id);
    assertThat(refs).hasSize(3);
    assertThat(refereeKeys.keySet()).containsAll(refs);
    BigInteger before = chain.chain(5).balance(TestChain.key(5).address());
    stranger.submitVerdict(id, 2, vote(refs.get(0), id, 2));
    TxResult last = stranger.submitVerdict(id, 2, vote(refs.get(1), id, 2));
    ChainEvent resolved = last.event("DisputeResolved").orElseThrow();
    assertThat(resolved.arg("outcome")).isEqualTo("2");
    assertThat(resolved.arg("slashed")).isEqualTo(ETH.toString());
    assertThat(resolved.arg("reward")).isEqualTo(ETH.divide(BigInteger.TWO).toString());
    assertThat(resolved.arg("bondTo")).isEqualTo(TestChain.key(5).address().toString());
    // The challenger (who paid no gas here) received its bond back plus the slash reward less the
    // referee fee: 20 % of the 0.5 ETH reward, 0.05 ETH to each of the two deciding referees.
    BigInteger after = chain.chain(5).balance(TestChain.key(5).address());
    BigInteger fee = ETH.divide(BigInteger.valueOf(10));
    assertThat(after.subtract(before))
        .isEqualTo(BOND.add(ETH.divide(BigInteger.TWO)).subtract(fee));
    assertThat(resolved.arg("bondPaid")).isEqualTo(after.subtract(before).toString());
    NodeInfo n = node(provider.address());
    assertThat(n.stakeWei()).isZero();
    assertThat(n.banned()).isTrue();
    assertThat(challenger.dispute(id).phase()).isEqualTo(DisputePhase.RESOLVED);
    assertThat(challenger.dispute(id).outcome()).isEqualTo(2);

    // Double resolution: the third referee's verdict and a timeout are both refused.
    EthSignature third = vote(refs.get(2), id, 2);
    assertThatThrownBy(() -> stranger.submitVerdict(id, 2, third))
        .hasMessageContaining("AlreadyResolved");
    assertThatThrownBy(() -> stranger.timeout(id)).hasMessageContaining("AlreadyResolved");
  }

  @Test
  void lyingChallenger_losesBond_toProviderOperator() throws Exception {
    ReceiptKey provider = newProvider();
    List<Bytes> honest = trace(-1);
    List<Bytes> lying = trace(2);
    SignedReceipt r = receipt(provider, honest, OUT);
    Bytes id = challenger.open(r, new Digest(root(lying, 0, LEAVES)), LEAVES, OUT, BOND).id();
    assertThat(bisect(id, honest, lying)).isEqualTo(2);
    List<EthAddress> refs = draw(id);
    EthAddress op1 = TestChain.key(1).address();
    BigInteger before = chain.chain(1).balance(op1);
    stranger.submitVerdict(id, 1, vote(refs.get(0), id, 1));
    TxResult last = stranger.submitVerdict(id, 1, vote(refs.get(2), id, 1));
    assertThat(last.event("DisputeResolved").orElseThrow().arg("bondTo")).isEqualTo(op1.toString());
    // The bond less the referee fee: 20 % of 0.1 ETH shared by the two deciding referees.
    assertThat(chain.chain(1).balance(op1).subtract(before))
        .isEqualTo(BOND.subtract(BOND.divide(BigInteger.valueOf(5))));
    NodeInfo n = node(provider.address());
    assertThat(n.stakeWei()).isEqualTo(ETH);
    assertThat(n.banned()).isFalse();
  }

  @Test
  void silentProvider_losesByTimeout_andEarlyTimeoutRefused() throws Exception {
    ReceiptKey provider = newProvider();
    List<Bytes> lying = trace(9);
    List<Bytes> honest = trace(-1);
    Bytes id =
        challenger
            .open(
                receipt(provider, lying, OUT),
                new Digest(root(honest, 0, LEAVES)),
                LEAVES,
                OUT,
                BOND)
            .id();
    challenger.move(id, root(honest, 0, 8), root(honest, 8, LEAVES));
    assertThatThrownBy(() -> stranger.timeout(id)).hasMessageContaining("DeadlineNotReached");
    chain.anvil.increaseTime(Duration.ofSeconds(101));
    chain.anvil.mine();
    assertThatThrownBy(() -> providerOp.move(id, root(lying, 0, 8), root(lying, 8, LEAVES)))
        .hasMessageContaining("MoveDeadlinePassed");
    TxResult t = stranger.timeout(id);
    ChainEvent e = t.event("DisputeResolved").orElseThrow();
    assertThat(e.arg("outcome")).isEqualTo("2");
    assertThat(e.arg("resolution")).isEqualTo("2"); // ProviderTimedOut
    assertThat(node(provider.address()).banned()).isTrue();
  }

  @Test
  void silentChallenger_losesBondByTimeout() throws Exception {
    ReceiptKey provider = newProvider();
    List<Bytes> honest = trace(-1);
    List<Bytes> lying = trace(1);
    Bytes id =
        challenger
            .open(
                receipt(provider, honest, OUT),
                new Digest(root(lying, 0, LEAVES)),
                LEAVES,
                OUT,
                BOND)
            .id();
    providerOp.move(id, root(honest, 0, 8), root(honest, 8, LEAVES));
    chain.anvil.increaseTime(Duration.ofSeconds(101));
    chain.anvil.mine();
    ChainEvent e = stranger.timeout(id).event("DisputeResolved").orElseThrow();
    assertThat(e.arg("outcome")).isEqualTo("1");
    assertThat(e.arg("resolution")).isEqualTo("3"); // ChallengerTimedOut
    assertThat(e.arg("bondTo")).isEqualTo(TestChain.key(1).address().toString());
    assertThat(node(provider.address()).stakeWei()).isEqualTo(ETH);
  }

  @Test
  void forgedOrForeignVerdicts_rejected() throws Exception {
    ReceiptKey provider = newProvider();
    List<Bytes> lying = trace(4);
    List<Bytes> honest = trace(-1);
    Bytes id =
        challenger
            .open(
                receipt(provider, lying, OUT),
                new Digest(root(honest, 0, LEAVES)),
                LEAVES,
                OUT,
                BOND)
            .id();
    bisect(id, lying, honest);
    List<EthAddress> refs = draw(id);
    DisputeState s = stranger.dispute(id);
    // A key outside the referee set.
    ReceiptKey outsider = ReceiptKey.generate(new SecureRandom());
    EthSignature forged =
        VerdictTypedData.sign(
            outsider,
            stranger.verdictDomain(),
            id,
            s.start(),
            s.providerHash(),
            s.challengerHash(),
            2);
    assertThatThrownBy(() -> stranger.submitVerdict(id, 2, forged))
        .hasMessageContaining("NotAReferee")
        .hasMessageContaining(outsider.address().toString().substring(2, 10));
    // A referee's signature for winner 1 replayed as a vote for winner 2 recovers someone else.
    EthSignature forOne = vote(refs.get(0), id, 1);
    assertThatThrownBy(() -> stranger.submitVerdict(id, 2, forOne))
        .hasMessageContaining("NotAReferee");
    // A signature over another leaf index.
    EthSignature otherLeaf =
        VerdictTypedData.sign(
            refereeKeys.get(refs.get(0)),
            stranger.verdictDomain(),
            id,
            s.start() + 1,
            s.providerHash(),
            s.challengerHash(),
            2);
    assertThatThrownBy(() -> stranger.submitVerdict(id, 2, otherLeaf))
        .hasMessageContaining("NotAReferee");
    assertThatThrownBy(() -> stranger.submitVerdict(id, 4, vote(refs.get(0), id, 2)))
        .hasMessageContaining("BadVerdict");
    // One vote per referee.
    stranger.submitVerdict(id, 2, vote(refs.get(0), id, 2));
    assertThatThrownBy(() -> stranger.submitVerdict(id, 2, vote(refs.get(0), id, 2)))
        .hasMessageContaining("AlreadyVoted");
    assertThat(stranger.dispute(id).phase()).isEqualTo(DisputePhase.REFEREEING);
  }

  @Test
  void badOpensAndMoves_rejectedWithNamedErrors() throws Exception {
    ReceiptKey provider = newProvider();
    List<Bytes> lying = trace(6);
    List<Bytes> honest = trace(-1);
    SignedReceipt r = receipt(provider, lying, OUT);
    Digest hr = new Digest(root(honest, 0, LEAVES));
    assertThatThrownBy(() -> challenger.open(r, hr, LEAVES, OUT, BOND.subtract(BigInteger.ONE)))
        .hasMessageContaining("BondTooLow");
    assertThatThrownBy(() -> challenger.open(r, r.receipt().traceRoot(), LEAVES, OUT, BOND))
        .hasMessageContaining("NothingToDispute");
    assertThatThrownBy(() -> challenger.open(r, hr, LEAVES + 1, OUT, BOND))
        .hasMessageContaining("LeafCountMismatch");
    assertThatThrownBy(() -> providerOp.open(r, hr, LEAVES, OUT, BOND))
        .hasMessageContaining("ChallengerIsOperator");
    SignedReceipt unsigned =
        new SignedReceipt(
            r.receipt(),
            r.domain(),
            ReceiptKey.generate(new SecureRandom()).sign(r.receipt().signingDigest(r.domain())));
    assertThatThrownBy(() -> challenger.open(unsigned, hr, LEAVES, OUT, BOND))
        .hasMessageContaining("ReceiptSignerMismatch");
    Bytes id = challenger.open(r, hr, LEAVES, OUT, BOND).id();
    assertThatThrownBy(() -> challenger.open(r, hr, LEAVES, OUT, BOND))
        .hasMessageContaining("DisputeExists");
    // Honest children under the lying root do not match the provider's commitment.
    assertThatThrownBy(() -> providerOp.move(id, root(honest, 0, 8), root(honest, 8, LEAVES)))
        .hasMessageContaining("MoveDoesNotMatchCommitment");
    assertThatThrownBy(() -> stranger.move(id, root(lying, 0, 8), root(lying, 8, LEAVES)))
        .hasMessageContaining("NotAParty");
    challenger.move(id, root(honest, 0, 8), root(honest, 8, LEAVES));
    assertThatThrownBy(() -> challenger.move(id, root(honest, 0, 8), root(honest, 8, LEAVES)))
        .hasMessageContaining("AlreadyMoved");
    assertThatThrownBy(() -> stranger.drawReferees(id)).hasMessageContaining("WrongPhase");
    assertThatThrownBy(() -> stranger.dispute(Bytes.copyOf(new byte[32])))
        .hasMessageContaining("UnknownDispute");
  }

  @Test
  void sameTrace_differentOutput_goesStraightToReferees_atOutputStep() throws Exception {
    ReceiptKey provider = newProvider();
    List<Bytes> honest = trace(-1);
    SignedReceipt r = receipt(provider, honest, OUT);
    Bytes id = challenger.open(r, r.receipt().traceRoot(), LEAVES, OTHER_OUT, BOND).id();
    DisputeState s = challenger.dispute(id);
    assertThat(s.phase()).isEqualTo(DisputePhase.AWAITING_DRAW);
    assertThat(s.start()).isEqualTo(LEAVES);
    assertThat(s.providerHash()).isEqualTo(OUT.value());
    assertThat(s.challengerHash()).isEqualTo(OTHER_OUT.value());
    List<EthAddress> refs = draw(id);
    BigInteger forfeitedBefore = challenger.forfeitedWei();
    stranger.submitVerdict(id, 3, vote(refs.get(0), id, 3));
    ChainEvent e =
        stranger
            .submitVerdict(id, 3, vote(refs.get(1), id, 3))
            .event("DisputeResolved")
            .orElseThrow();
    assertThat(e.arg("outcome")).isEqualTo("3");
    // Bond + slash reward (0.6 ETH) less the 20 % referee fee stays locked.
    BigInteger pot = BOND.add(ETH.divide(BigInteger.TWO));
    assertThat(challenger.forfeitedWei().subtract(forfeitedBefore))
        .isEqualTo(pot.subtract(pot.divide(BigInteger.valueOf(5))));
    assertThat(node(provider.address()).banned()).isTrue();
  }

  @Test
  void gas_ofEachDisputeStep_printedAndBounded() throws Exception {
    ReceiptKey provider = newProvider();
    List<Bytes> lying = trace(5);
    List<Bytes> honest = trace(-1);
    EvmDisputes.Opened o =
        challenger.open(
            receipt(provider, lying, OUT), new Digest(root(honest, 0, LEAVES)), LEAVES, OUT, BOND);
    Bytes id = o.id();
    TxResult pMove = providerOp.move(id, root(lying, 0, 8), root(lying, 8, LEAVES));
    TxResult cMove = challenger.move(id, root(honest, 0, 8), root(honest, 8, LEAVES));
    bisect(id, lying, honest);
    chain.anvil.mine();
    chain.anvil.mine();
    TxResult drawn = stranger.drawReferees(id);
    List<EthAddress> refs = stranger.referees(id);
    TxResult first = stranger.submitVerdict(id, 2, vote(refs.get(0), id, 2));
    TxResult resolving = stranger.submitVerdict(id, 2, vote(refs.get(1), id, 2));
    assertThat(resolving.event("DisputeResolved")).isPresent();
    System.out.printf(
        "DisputeManager gas: open %s, move %s (first of a round) / %s (second, narrows), drawReferees"
            + " with %d registered nodes %s, verdict %s, resolving verdict (slash + ban) %s%n",
        o.tx().gasUsed(),
        pMove.gasUsed(),
        cMove.gasUsed(),
        registryView.nodes().size(),
        drawn.gasUsed(),
        first.gasUsed(),
        resolving.gasUsed());
    assertThat(o.tx().gasUsed()).isLessThan(BigInteger.valueOf(400_000));
    assertThat(cMove.gasUsed()).isLessThan(BigInteger.valueOf(150_000));
    assertThat(drawn.gasUsed()).isLessThan(BigInteger.valueOf(2_000_000));
    assertThat(resolving.gasUsed()).isLessThan(BigInteger.valueOf(300_000));
  }

  // ------------------------------------------------------------------ deferred trace

  @Test
  void deferred_honestProvider_commitsTrace_andWinsAgainstLyingChallenger() throws Exception {
    ReceiptKey provider = newProvider();
    List<Bytes> honest = trace(-1);
    List<Bytes> lying = trace(5);
    SignedReceipt r = deferredReceipt(provider, OUT);
    EvmDisputes.Opened o =
        challenger.open(r, new Digest(root(lying, 0, LEAVES)), LEAVES, OTHER_OUT, BOND);
    Bytes id = o.id();
    ChainEvent requested = o.tx().event("TraceRequested").orElseThrow();
    assertThat(requested.arg("leafCount")).isEqualTo(String.valueOf(LEAVES));
    DisputeState waiting = challenger.dispute(id);
    assertThat(waiting.phase()).isEqualTo(DisputePhase.AWAITING_PROVIDER_TRACE);
    assertThat(waiting.leafCount()).isEqualTo(LEAVES);
    assertThat(challenger.deferredRoots(id).orElseThrow().provider()).isEmpty();
    // The challenger cannot move yet: there is nothing to bisect against.
    assertThatThrownBy(() -> challenger.move(id, root(lying, 0, 8), root(lying, 8, LEAVES)))
        .hasMessageContaining("WrongPhase");
    assertThatThrownBy(() -> stranger.timeout(id)).hasMessageContaining("DeadlineNotReached");
    TxResult committed = providerOp.commitTrace(id, new Digest(root(honest, 0, LEAVES)));
    assertThat(committed.event("TraceCommitted").orElseThrow().arg("providerRoot"))
        .isEqualTo("0x" + root(honest, 0, LEAVES).toHex());
    EvmDisputes.DeferredRoots roots = challenger.deferredRoots(id).orElseThrow();
    assertThat(roots.provider()).contains(new Digest(root(honest, 0, LEAVES)));
    assertThat(roots.challenger()).isEqualTo(new Digest(root(lying, 0, LEAVES)));
    assertThat(challenger.dispute(id).phase()).isEqualTo(DisputePhase.BISECTING);
    System.out.printf(
        "DisputeManager gas, deferred trace: open %s, commitTrace %s%n",
        o.tx().gasUsed(), committed.gasUsed());
    assertThat(o.tx().gasUsed()).isLessThan(BigInteger.valueOf(400_000));
    assertThat(committed.gasUsed()).isLessThan(BigInteger.valueOf(150_000));
    assertThatThrownBy(() -> providerOp.commitTrace(id, new Digest(root(honest, 0, LEAVES))))
        .hasMessageContaining("WrongPhase");
    assertThat(bisect(id, honest, lying)).isEqualTo(5);
    List<EthAddress> refs = draw(id);
    EthAddress op1 = TestChain.key(1).address();
    BigInteger before = chain.chain(1).balance(op1);
    stranger.submitVerdict(id, 1, vote(refs.get(0), id, 1));
    TxResult last = stranger.submitVerdict(id, 1, vote(refs.get(1), id, 1));
    assertThat(last.event("DisputeResolved").orElseThrow().arg("bondTo")).isEqualTo(op1.toString());
    // The bond less the referee fee (20 %), as for a receipt that carried its trace.
    assertThat(chain.chain(1).balance(op1).subtract(before))
        .isEqualTo(BOND.subtract(BOND.divide(BigInteger.valueOf(5))));
    assertThat(node(provider.address()).stakeWei()).isEqualTo(ETH);
    assertThat(node(provider.address()).banned()).isFalse();
  }

  @Test
  void deferred_cheatingProvider_commitsTrace_andLosesByBisection() throws Exception {
    var withAccount = newProviderWithNodeAccount();
    ReceiptKey provider = withAccount.getKey();
    List<Bytes> honest = trace(-1);
    List<Bytes> cheating = trace(10);
    SignedReceipt r = deferredReceipt(provider, OTHER_OUT);
    Bytes id = challenger.open(r, new Digest(root(honest, 0, LEAVES)), LEAVES, OUT, BOND).id();
    // The node key itself may commit, as it may move.
    withAccount.getValue().commitTrace(id, new Digest(root(cheating, 0, LEAVES)));
    assertThat(bisect(id, cheating, honest)).isEqualTo(10);
    DisputeState pinned = challenger.dispute(id);
    assertThat(pinned.providerHash()).isEqualTo(cheating.get(10));
    assertThat(pinned.challengerHash()).isEqualTo(honest.get(10));
    List<EthAddress> refs = draw(id);
    stranger.submitVerdict(id, 2, vote(refs.get(0), id, 2));
    ChainEvent e =
        stranger
            .submitVerdict(id, 2, vote(refs.get(2), id, 2))
            .event("DisputeResolved")
            .orElseThrow();
    assertThat(e.arg("outcome")).isEqualTo("2");
    assertThat(e.arg("slashed")).isEqualTo(ETH.toString());
    assertThat(node(provider.address()).banned()).isTrue();
  }

  @Test
  void deferred_providerCommitsChallengersRoot_goesToOutputStep() throws Exception {
    ReceiptKey provider = newProvider();
    List<Bytes> honest = trace(-1);
    SignedReceipt r = deferredReceipt(provider, OTHER_OUT);
    Digest hr = new Digest(root(honest, 0, LEAVES));
    Bytes id = challenger.open(r, hr, LEAVES, OUT, BOND).id();
    providerOp.commitTrace(id, hr);
    DisputeState s = challenger.dispute(id);
    assertThat(s.phase()).isEqualTo(DisputePhase.AWAITING_DRAW);
    assertThat(s.start()).isEqualTo(LEAVES);
    assertThat(s.providerHash()).isEqualTo(OTHER_OUT.value());
    assertThat(s.challengerHash()).isEqualTo(OUT.value());
  }

  @Test
  void deferred_silentProvider_losesByTimeout_lateCommitRefused() throws Exception {
    ReceiptKey provider = newProvider();
    List<Bytes> honest = trace(-1);
    Bytes id =
        challenger
            .open(
                deferredReceipt(provider, OTHER_OUT),
                new Digest(root(honest, 0, LEAVES)),
                LEAVES,
                OUT,
                BOND)
            .id();
    chain.anvil.increaseTime(Duration.ofSeconds(101));
    chain.anvil.mine();
    assertThatThrownBy(() -> providerOp.commitTrace(id, new Digest(root(honest, 0, LEAVES))))
        .hasMessageContaining("TraceDeadlinePassed");
    BigInteger before = chain.chain(5).balance(TestChain.key(5).address());
    ChainEvent e = stranger.timeout(id).event("DisputeResolved").orElseThrow();
    assertThat(e.arg("outcome")).isEqualTo("2");
    assertThat(e.arg("resolution")).isEqualTo("2"); // ProviderTimedOut
    assertThat(e.arg("bondTo")).isEqualTo(TestChain.key(5).address().toString());
    assertThat(chain.chain(5).balance(TestChain.key(5).address()).subtract(before))
        .isEqualTo(BOND.add(ETH.divide(BigInteger.TWO)));
    assertThat(node(provider.address()).banned()).isTrue();
    assertThat(challenger.dispute(id).phase()).isEqualTo(DisputePhase.RESOLVED);
  }

  @Test
  void deferred_badOpensAndCommits_rejectedWithNamedErrors() throws Exception {
    ReceiptKey provider = newProvider();
    List<Bytes> honest = trace(-1);
    SignedReceipt r = deferredReceipt(provider, OTHER_OUT);
    Digest hr = new Digest(root(honest, 0, LEAVES));
    assertThatThrownBy(() -> challenger.open(r, hr, LEAVES, OTHER_OUT, BOND))
        .hasMessageContaining("NothingToDispute");
    assertThatThrownBy(() -> challenger.open(r, hr, 0, OUT, BOND))
        .hasMessageContaining("EmptyChallengerTrace");
    assertThatThrownBy(() -> challenger.open(r, Receipt.NO_TRACE, LEAVES, OUT, BOND))
        .hasMessageContaining("EmptyChallengerTrace");
    assertThatThrownBy(() -> providerOp.open(r, hr, LEAVES, OUT, BOND))
        .hasMessageContaining("ChallengerIsOperator");
    Bytes id = challenger.open(r, hr, LEAVES, OUT, BOND).id();
    assertThatThrownBy(() -> challenger.open(r, hr, LEAVES, OUT, BOND))
        .hasMessageContaining("DisputeExists");
    assertThatThrownBy(() -> stranger.commitTrace(id, hr))
        .hasMessageContaining("NotTheProvider")
        .hasMessageContaining(TestChain.key(6).address().toString().substring(2, 10));
    assertThatThrownBy(() -> challenger.commitTrace(id, hr)).hasMessageContaining("NotTheProvider");
    assertThatThrownBy(() -> providerOp.commitTrace(id, Receipt.NO_TRACE))
        .hasMessageContaining("EmptyTraceRoot");
    assertThatThrownBy(() -> stranger.drawReferees(id)).hasMessageContaining("WrongPhase");
    assertThat(challenger.dispute(id).phase()).isEqualTo(DisputePhase.AWAITING_PROVIDER_TRACE);
    // A receipt with a trace is not affected: no deferred roots are kept for it.
    SignedReceipt eager = receipt(provider, trace(3), OUT);
    Bytes eagerId = challenger.open(eager, hr, LEAVES, OUT, BOND).id();
    assertThat(challenger.dispute(eagerId).phase()).isEqualTo(DisputePhase.BISECTING);
    assertThat(challenger.deferredRoots(eagerId)).isEmpty();
    assertThatThrownBy(() -> providerOp.commitTrace(eagerId, hr))
        .hasMessageContaining("WrongPhase");
  }
}
