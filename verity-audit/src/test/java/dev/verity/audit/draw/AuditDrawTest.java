package dev.verity.audit.draw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.core.Bytes;
import dev.verity.receipt.eth.EthAddress;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Golden vectors recomputed independently with js-sha3 (see docs/DRAW.md). */
class AuditDrawTest {
  static final Bytes BLOCK = Bytes.copyOf(filled(0x11));
  static final Bytes RECEIPT = Bytes.copyOf(filled(0x22));
  static final String SEED = "3e92e0db88d6afea9edc4eedf62fffa4d92bcdfc310dccbe943747fe8302e871";

  static EthAddress addr(int i) {
    byte[] a = new byte[20];
    a[19] = (byte) i;
    a[0] = (byte) 0xa0;
    return new EthAddress(Bytes.copyOf(a));
  }

  static final EthAddress OP1 = addr(101), OP2 = addr(102), OP3 = addr(103);
  static final Candidate N1 = new Candidate(addr(1), OP1, BigInteger.valueOf(5));
  static final Candidate N2 = new Candidate(addr(2), OP1, BigInteger.valueOf(1));
  static final Candidate N3 = new Candidate(addr(3), OP2, BigInteger.valueOf(2));
  static final Candidate N4 = new Candidate(addr(4), OP3, BigInteger.valueOf(2));
  static final List<Candidate> SET = List.of(N1, N2, N3, N4);

  @Test
  void seed_matchesGoldenVector() {
    assertThat(AuditDraw.seed(BLOCK, RECEIPT).toHex()).isEqualTo(SEED);
  }

  @Test
  void draw_matchesGoldenOrder() {
    // total 10, cap 50 % = 5: weights op1 5, op2 2, op3 2; draws r = 2 mod 9, 1 mod 4, 1 mod 2.
    assertThat(StakeDraw.draw(Bytes.fromHex(SEED), SET, 3, Set.of(), 5000))
        .containsExactly(N1, N3, N4);
  }

  @Test
  void decide_seedBelowThreshold_isAudited_byAnotherOperator() {
    // uint256(seed) = 0x3e92… lies in [0.24, 0.25) × 2^256.
    AuditOutcome yes =
        AuditDraw.decide(RECEIPT, 10, 11, BLOCK, new BigDecimal("0.25"), SET, OP1, 5000);
    assertThat(yes).isEqualTo(new AuditOutcome.Audited(Bytes.fromHex(SEED), N4));
    AuditOutcome no =
        AuditDraw.decide(RECEIPT, 10, 11, BLOCK, new BigDecimal("0.24"), SET, OP1, 5000);
    assertThat(no).isEqualTo(new AuditOutcome.NotAudited(Bytes.fromHex(SEED)));
  }

  @Test
  void decide_drawBlockNotAfterAnchor_throws() {
    assertThatThrownBy(
            () -> AuditDraw.decide(RECEIPT, 10, 10, BLOCK, BigDecimal.ONE, SET, OP1, 5000))
        .hasMessageContaining("must come after the anchoring block 10");
  }

  @Test
  void decide_onlyProviderOperatorStaked_reportsNoAuditor() {
    AuditOutcome o =
        AuditDraw.decide(RECEIPT, 1, 2, BLOCK, BigDecimal.ONE, List.of(N1, N2), OP1, 5000);
    assertThat(o).isInstanceOf(AuditOutcome.NoAuditorAvailable.class);
  }

  @Test
  void draw_badInput_throws() {
    assertThatThrownBy(() -> StakeDraw.draw(Bytes.copyOf(new byte[31]), SET, 1, Set.of(), 5000))
        .hasMessageContaining("32 bytes");
    assertThatThrownBy(
            () -> StakeDraw.draw(Bytes.fromHex(SEED), List.of(N1, N1), 1, Set.of(), 5000))
        .hasMessageContaining("listed twice");
    assertThatThrownBy(() -> StakeDraw.draw(Bytes.fromHex(SEED), SET, 1, Set.of(), 0))
        .hasMessageContaining("capBps");
  }

  @Property(tries = 200)
  void draw_neverRepeatsOperator_neverPicksExcluded(
      @ForAll long seedNo,
      @ForAll @IntRange(min = 0, max = 8) int k,
      @ForAll @IntRange(min = 1, max = 10000) int cap) {
    Bytes seed =
        AuditDraw.seed(
            BLOCK, Bytes.copyOf(StakeDraw.uint256(BigInteger.valueOf(seedNo & Long.MAX_VALUE))));
    List<Candidate> picked = StakeDraw.draw(seed, SET, k, Set.of(OP2), cap);
    Set<EthAddress> ops = new HashSet<>();
    for (Candidate c : picked) {
      assertThat(ops.add(c.operator())).isTrue();
      assertThat(c.operator()).isNotEqualTo(OP2);
    }
    assertThat(picked).hasSize(Math.min(k, 2));
    assertThat(StakeDraw.draw(seed, SET, k, Set.of(OP2), cap)).isEqualTo(picked);
  }

  @Test
  void draw_frequencies_followCappedStake() {
    // One whale (80 % of stake) capped at 20 %: over 4000 single draws it wins about
    // 20 / (20 + 20) = 50 % rather than 80 %.
    List<Candidate> set = new ArrayList<>();
    set.add(new Candidate(addr(10), addr(110), BigInteger.valueOf(80)));
    set.add(new Candidate(addr(11), addr(111), BigInteger.valueOf(10)));
    set.add(new Candidate(addr(12), addr(112), BigInteger.valueOf(10)));
    Map<EthAddress, Integer> wins = new HashMap<>();
    int n = 4000;
    for (int i = 0; i < n; i++) {
      Bytes seed = AuditDraw.seed(BLOCK, Bytes.copyOf(StakeDraw.uint256(BigInteger.valueOf(i))));
      wins.merge(
          StakeDraw.draw(seed, set, 1, Set.of(), 2000).getFirst().operator(), 1, Integer::sum);
    }
    double whale = wins.getOrDefault(addr(110), 0) / (double) n;
    assertThat(whale).isBetween(0.46, 0.54);
  }

  @Property(tries = 100)
  void audited_frequency_matchesP(@ForAll @IntRange(min = 1, max = 9) int tenths) {
    BigDecimal p = BigDecimal.valueOf(tenths, 1);
    int hits = 0;
    int n = 2000;
    for (int i = 0; i < n; i++) {
      Bytes d = Bytes.copyOf(StakeDraw.uint256(BigInteger.valueOf(i * 7919L + tenths)));
      if (AuditDraw.decide(d, 0, 1, BLOCK, p, SET, OP1, 5000) instanceof AuditOutcome.Audited) {
        hits++;
      }
    }
    // 5 sigma for a binomial with n = 2000.
    double sigma = Math.sqrt(n * p.doubleValue() * (1 - p.doubleValue()));
    assertThat((double) hits)
        .isBetween(n * p.doubleValue() - 5 * sigma, n * p.doubleValue() + 5 * sigma);
  }

  private static byte[] filled(int b) {
    byte[] x = new byte[32];
    java.util.Arrays.fill(x, (byte) b);
    return x;
  }
}
