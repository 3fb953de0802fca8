package dev.verity.settlement.evm;

import static dev.verity.settlement.evm.TestChain.ETH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.engine.NumericMode;
import dev.verity.receipt.Receipt;
import dev.verity.receipt.ReceiptKey;
import dev.verity.receipt.SignedReceipt;
import dev.verity.receipt.eth.EthAddress;
import dev.verity.receipt.eth.EthSignature;
import dev.verity.settlement.ChainEvent;
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
 * Referee pay on Anvil (docs/DISPUTES.md "Referee pay"): five referees, one dissenting and one
 * silent; exact balances of the challenger, the provider's operator and every referee's operator
 * before and after, and the unchanged timeout path.
 */
class RefereePayTest {
  private static final Digest MODEL = TestChain.digest("referee pay model");
  private static final BigInteger BOND = ETH.divide(BigInteger.TEN);
  private static final int FEE_BPS = 2_000;
  private static final int LEAVES = 12;
  private static final Digest OUT = TestChain.digest("output");
  private static final AtomicInteger REQUESTS = new AtomicInteger();
  private static final int[] REFEREE_OPERATORS = {2, 3, 4, 7, 8};
  private static final Map<EthAddress, ReceiptKey> refereeKeys = new HashMap<>();
  private static final Map<EthAddress, EthAddress> operatorOf = new HashMap<>();
  private static TestChain chain;
  private static EthAddress dmAddress;
  private static EvmDisputes providerOp;
  private static EvmDisputes challenger;
  private static EvmDisputes relay;
  private static EvmChain view;

  @BeforeAll
  static void start() throws Exception {
    chain = TestChain.start();
    dmAddress =
        EvmDisputes.deploy(
            chain.anvil.rpcUrl(),
            chain.deployment,
            TestChain.key(0),
            new DisputeParameters(BOND, 100, 100, 5, 10_000, FEE_BPS));
    chain.as(9).registerModel(MODEL, "referee-pay-model", "1", TestChain.ed25519Key("r"));
    for (int acct : REFEREE_OPERATORS) {
      ReceiptKey k = ReceiptKey.generate(new SecureRandom());
      chain.as(acct).registerNode(k, "http://127.0.0.1:93" + acct + "0", List.of(MODEL), ETH);
      refereeKeys.put(k.address(), k);
      operatorOf.put(k.address(), TestChain.key(acct).address());
    }
    providerOp = disputes(1);
    challenger = disputes(5);
    relay = disputes(6);
    view = chain.chain(0);
  }

  private static EvmDisputes disputes(int acct) throws Exception {
    return EvmDisputes.connect(
        chain.anvil.rpcUrl(), chain.deployment, dmAddress, TestChain.key(acct));
  }

  @AfterAll
  static void stop() {
    providerOp.close();
    challenger.close();
    relay.close();
    view.close();
    chain.close();
  }

  // ------------------------------------------------------------------ helpers

  private static Bytes sha(byte[]... parts) {
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

  private static Bytes root(List<Bytes> h, int from, int to) {
    if (to - from == 1) {
      return h.get(from);
    }
    int k = Integer.highestOneBit(to - from - 1);
    return sha(
        new byte[] {1}, root(h, from, from + k).toByteArray(), root(h, from + k, to).toByteArray());
  }

  private static List<Bytes> trace(int lieAt) {
    List<Bytes> out = new ArrayList<>();
    for (int i = 0; i < LEAVES; i++) {
      out.add(sha(new byte[] {0}, ((i == lieAt ? "lie " : "leaf ") + i).getBytes()));
    }
    return out;
  }

  private static ReceiptKey newProvider() throws Exception {
    ReceiptKey k = ReceiptKey.generate(new SecureRandom());
    chain.as(1).registerNode(k, "http://127.0.0.1:9390", List.of(MODEL), ETH);
    return k;
  }

  private static SignedReceipt receipt(ReceiptKey node, List<Bytes> leaves) {
    Receipt r =
        Receipt.builder()
            .model(MODEL)
            .engine("strict", "0.1.0", TestChain.digest("engine config"), NumericMode.BITWISE)
            .input(TestChain.digest("input"))
            .output(OUT)
            .trace(new Digest(root(leaves, 0, LEAVES)), LEAVES)
            .node(node.address())
            .requestId("referee-pay-" + REQUESTS.incrementAndGet())
            .timeMillis(1_764_000_000_000L)
            .build();
    return SignedReceipt.sign(r, chain.deployment.receiptDomain(), node);
  }

  private static Bytes openAndBisect(List<Bytes> provider, List<Bytes> challengerTrace)
      throws Exception {
    SignedReceipt r = receipt(newProvider(), provider);
    Bytes id =
        challenger.open(r, new Digest(root(challengerTrace, 0, LEAVES)), LEAVES, OUT, BOND).id();
    while (true) {
      DisputeState s = challenger.dispute(id);
      if (s.phase() != DisputePhase.BISECTING) {
        return id;
      }
      int start = (int) s.start();
      int size = (int) s.size();
      int k = Integer.highestOneBit(size - 1);
      providerOp.move(
          id, root(provider, start, start + k), root(provider, start + k, start + size));
      challenger.move(
          id,
          root(challengerTrace, start, start + k),
          root(challengerTrace, start + k, start + size));
    }
  }

  private static List<EthAddress> draw(Bytes id) throws Exception {
    chain.anvil.mine();
    chain.anvil.mine();
    relay.drawReferees(id);
    List<EthAddress> refs = relay.referees(id);
    assertThat(refs).hasSize(5);
    assertThat(refereeKeys.keySet()).containsAll(refs);
    return refs;
  }

  private static TxResult vote(Bytes id, EthAddress referee, int winner) throws Exception {
    DisputeState s = relay.dispute(id);
    EthSignature sig =
        VerdictTypedData.sign(
            refereeKeys.get(referee),
            relay.verdictDomain(),
            id,
            s.start(),
            s.providerHash(),
            s.challengerHash(),
            winner);
    return relay.submitVerdict(id, winner, sig);
  }

  private static BigInteger balance(EthAddress a) throws Exception {
    return view.balance(a);
  }

  private static Map<EthAddress, BigInteger> fees(List<EthAddress> refs) throws Exception {
    Map<EthAddress, BigInteger> out = new HashMap<>();
    for (EthAddress r : refs) {
      out.put(r, relay.refereeFeesWei(operatorOf.get(r)));
    }
    return out;
  }

  private static Map<EthAddress, BigInteger> operatorBalances(List<EthAddress> refs)
      throws Exception {
    Map<EthAddress, BigInteger> out = new HashMap<>();
    for (EthAddress r : refs) {
      out.put(r, balance(operatorOf.get(r)));
    }
    return out;
  }

  private static List<ChainEvent> credited(TxResult tx) {
    return tx.events().stream().filter(e -> e.name().equals("RefereeFeeCredited")).toList();
  }

  /** Withdraws a referee operator's fees through the relay; returns what arrived. */
  private static BigInteger withdraw(EthAddress referee) throws Exception {
    EthAddress payee = operatorOf.get(referee);
    BigInteger owed = relay.refereeFeesWei(payee);
    BigInteger before = balance(payee);
    TxResult tx = relay.withdrawRefereeFees(payee);
    assertThat(tx.event("RefereeFeesWithdrawn").orElseThrow().args())
        .containsEntry("payee", payee.toString())
        .containsEntry("amount", owed.toString());
    assertThat(relay.refereeFeesWei(payee)).isZero();
    assertThatThrownBy(() -> relay.withdrawRefereeFees(payee))
        .hasMessage("DisputeManager: NoRefereeFees(payee=" + payee + ")");
    return balance(payee).subtract(before);
  }

  private static final BigInteger SLASH_REWARD =
      ETH.multiply(BigInteger.valueOf(TestChain.PARAMS.slashRewardBps()))
          .divide(BigInteger.valueOf(10_000));

  // ------------------------------------------------------------------ tests

  @Test
  void challengerWins_deciding3Of5Paid_dissenterAndSilentRefereeNot() throws Exception {
    BigInteger dmBefore = balance(dmAddress);
    Bytes id = openAndBisect(trace(7), trace(-1));
    List<EthAddress> refs = draw(id);
    EthAddress dissenter = refs.get(0);
    EthAddress silent = refs.get(4);
    List<EthAddress> deciding = refs.subList(1, 4);
    EthAddress challengerAcct = TestChain.key(5).address();
    EthAddress providerAcct = TestChain.key(1).address();
    BigInteger challengerBefore = balance(challengerAcct);
    BigInteger providerBefore = balance(providerAcct);
    Map<EthAddress, BigInteger> feesBefore = fees(refs);
    Map<EthAddress, BigInteger> opsBefore = operatorBalances(refs);

    vote(id, dissenter, 1);
    vote(id, deciding.get(0), 2);
    vote(id, deciding.get(1), 2);
    TxResult last = vote(id, deciding.get(2), 2);

    // Pot = slash reward 0.5 ETH; pool = 20 % = 0.1 ETH; 3 deciding referees: ⌊0.1 ETH / 3⌋ each.
    BigInteger pool =
        SLASH_REWARD.multiply(BigInteger.valueOf(FEE_BPS)).divide(BigInteger.valueOf(10_000));
    BigInteger share = pool.divide(BigInteger.valueOf(3));
    assertThat(share).isEqualTo(new BigInteger("33333333333333333"));
    ChainEvent resolved = last.event("DisputeResolved").orElseThrow();
    assertThat(resolved.arg("outcome")).isEqualTo("2");
    assertThat(resolved.arg("reward")).isEqualTo(SLASH_REWARD.toString());
    BigInteger challengerGets =
        BOND.add(SLASH_REWARD).subtract(share.multiply(BigInteger.valueOf(3)));
    assertThat(resolved.arg("bondPaid")).isEqualTo(challengerGets.toString());
    assertThat(credited(last)).hasSize(3);
    assertThat(credited(last).stream().map(e -> e.arg("referee")))
        .containsExactlyInAnyOrderElementsOf(deciding.stream().map(EthAddress::toString).toList());

    assertThat(balance(challengerAcct).subtract(challengerBefore)).isEqualTo(challengerGets);
    assertThat(balance(providerAcct)).isEqualTo(providerBefore);
    Map<EthAddress, BigInteger> feesAfter = fees(refs);
    for (EthAddress r : deciding) {
      assertThat(feesAfter.get(r).subtract(feesBefore.get(r)))
          .as("deciding %s", r)
          .isEqualTo(share);
    }
    assertThat(feesAfter.get(dissenter)).isEqualTo(feesBefore.get(dissenter));
    assertThat(feesAfter.get(silent)).isEqualTo(feesBefore.get(silent));
    // The silent referee is too late once the majority decided.
    assertThatThrownBy(() -> vote(id, silent, 2)).hasMessageContaining("AlreadyResolved");

    // Pull payments, relayed by a third account: each operator receives exactly its credit.
    for (EthAddress r : deciding) {
      assertThat(withdraw(r)).isEqualTo(feesAfter.get(r));
    }
    for (EthAddress r : List.of(dissenter, silent)) {
      if (feesAfter.get(r).signum() == 0) {
        assertThatThrownBy(() -> relay.withdrawRefereeFees(operatorOf.get(r)))
            .hasMessage("DisputeManager: NoRefereeFees(payee=" + operatorOf.get(r) + ")");
      }
      assertThat(balance(operatorOf.get(r))).isEqualTo(opsBefore.get(r));
    }
    for (EthAddress r : deciding) {
      assertThat(balance(operatorOf.get(r)).subtract(opsBefore.get(r))).isEqualTo(feesAfter.get(r));
    }
    // Nothing of this dispute is left in the contract once everyone has withdrawn: what it holds
    // changed only by the earlier credits the deciding operators withdrew along with theirs.
    BigInteger earlierCredits =
        deciding.stream().map(feesBefore::get).reduce(BigInteger.ZERO, BigInteger::add);
    assertThat(balance(dmAddress)).isEqualTo(dmBefore.subtract(earlierCredits));
  }

  @Test
  void providerWins_bondSplit_dissenterAndSilentRefereeGetNothing() throws Exception {
    Bytes id = openAndBisect(trace(-1), trace(2));
    List<EthAddress> refs = draw(id);
    EthAddress challengerAcct = TestChain.key(5).address();
    EthAddress providerAcct = TestChain.key(1).address();
    BigInteger challengerBefore = balance(challengerAcct);
    BigInteger providerBefore = balance(providerAcct);
    Map<EthAddress, BigInteger> feesBefore = fees(refs);

    vote(id, refs.get(2), 2); // dissents
    vote(id, refs.get(0), 1);
    vote(id, refs.get(3), 1);
    TxResult last = vote(id, refs.get(4), 1);
    // refs.get(1) stays silent.

    // Pot = the challenger's 0.1 ETH bond; pool 0.02 ETH; ⌊0.02 ETH / 3⌋ each; the rest, with the
    // rounding remainder, to the provider's operator.
    BigInteger share = new BigInteger("6666666666666666");
    BigInteger providerGets = BOND.subtract(share.multiply(BigInteger.valueOf(3)));
    assertThat(providerGets).isEqualTo(new BigInteger("80000000000000002"));
    ChainEvent resolved = last.event("DisputeResolved").orElseThrow();
    assertThat(resolved.arg("outcome")).isEqualTo("1");
    assertThat(resolved.arg("bondPaid")).isEqualTo(providerGets.toString());
    assertThat(resolved.arg("bondTo")).isEqualTo(providerAcct.toString());
    assertThat(balance(providerAcct).subtract(providerBefore)).isEqualTo(providerGets);
    assertThat(balance(challengerAcct)).isEqualTo(challengerBefore);
    Map<EthAddress, BigInteger> feesAfter = fees(refs);
    for (int i : new int[] {0, 3, 4}) {
      assertThat(feesAfter.get(refs.get(i)).subtract(feesBefore.get(refs.get(i)))).isEqualTo(share);
    }
    for (int i : new int[] {1, 2}) {
      assertThat(feesAfter.get(refs.get(i))).isEqualTo(feesBefore.get(refs.get(i)));
    }
  }

  @Test
  void timeouts_payNoReferees_andKeepTheirFlows() throws Exception {
    List<EthAddress> refs = new ArrayList<>(refereeKeys.keySet());
    Map<EthAddress, BigInteger> feesBefore = fees(refs);
    EthAddress challengerAcct = TestChain.key(5).address();
    EthAddress providerAcct = TestChain.key(1).address();

    // Silent provider: the registry pays the whole slash reward to the challenger, bond returned.
    List<Bytes> lying = trace(9);
    List<Bytes> honest = trace(-1);
    Bytes id =
        challenger
            .open(
                receipt(newProvider(), lying),
                new Digest(root(honest, 0, LEAVES)),
                LEAVES,
                OUT,
                BOND)
            .id();
    challenger.move(id, root(honest, 0, 8), root(honest, 8, LEAVES));
    chain.anvil.increaseTime(Duration.ofSeconds(101));
    chain.anvil.mine();
    BigInteger before = balance(challengerAcct);
    TxResult t = relay.timeout(id);
    assertThat(t.event("DisputeResolved").orElseThrow().arg("resolution")).isEqualTo("2");
    assertThat(credited(t)).isEmpty();
    assertThat(balance(challengerAcct).subtract(before)).isEqualTo(BOND.add(SLASH_REWARD));

    // Silent challenger: the provider's operator receives the whole bond.
    List<Bytes> lie = trace(1);
    Bytes id2 =
        challenger
            .open(
                receipt(newProvider(), honest), new Digest(root(lie, 0, LEAVES)), LEAVES, OUT, BOND)
            .id();
    providerOp.move(id2, root(honest, 0, 8), root(honest, 8, LEAVES));
    chain.anvil.increaseTime(Duration.ofSeconds(101));
    chain.anvil.mine();
    BigInteger providerBefore = balance(providerAcct);
    TxResult t2 = relay.timeout(id2);
    assertThat(t2.event("DisputeResolved").orElseThrow().arg("resolution")).isEqualTo("3");
    assertThat(credited(t2)).isEmpty();
    assertThat(balance(providerAcct).subtract(providerBefore)).isEqualTo(BOND);

    assertThat(fees(refs)).isEqualTo(feesBefore);
  }

  @Test
  void parameters_readFromTheContract() throws Exception {
    assertThat(relay.parameters())
        .isEqualTo(new DisputeParameters(BOND, 100, 100, 5, 10_000, FEE_BPS));
  }
}
