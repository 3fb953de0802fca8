package dev.verity.client.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.verity.receipt.eth.EthAddress;
import java.math.BigInteger;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class StakeWeightedSelectorTest {
  static final BigInteger ETH = BigInteger.TEN.pow(18);

  static EthAddress addr(int i) {
    return EthAddress.parse(String.format("0x%040x", i));
  }

  static Candidate node(int id, int operator, long stakeEth) {
    return new Candidate(
        addr(1000 + id),
        addr(operator),
        URI.create("http://127.0.0.1:" + (7000 + id)),
        ETH.multiply(BigInteger.valueOf(stakeEth)));
  }

  @Test
  void shares_withoutCapBinding_areProportionalToStake() {
    StakeWeightedSelector s = new StakeWeightedSelector(1.0);
    List<Candidate> c = List.of(node(1, 1, 1), node(2, 2, 3));
    assertThat(s.probabilities(c)).containsExactly(new double[] {0.25, 0.75}, within(1e-12));
  }

  @Test
  void shares_capBinds_excessGoesToOthersByStake() {
    // Operator 1 holds 80 of 100: capped at 0.5; the other 0.5 is split 15:5.
    StakeWeightedSelector s = new StakeWeightedSelector(0.5);
    List<Candidate> c = List.of(node(1, 1, 40), node(2, 1, 40), node(3, 2, 15), node(4, 3, 5));
    Map<EthAddress, Double> shares = s.operatorShares(c);
    assertThat(shares.get(addr(1))).isCloseTo(0.5, within(1e-12));
    assertThat(shares.get(addr(2))).isCloseTo(0.375, within(1e-12));
    assertThat(shares.get(addr(3))).isCloseTo(0.125, within(1e-12));
    // Within operator 1, its two nodes split the capped share by stake.
    assertThat(s.probabilities(c)[0]).isCloseTo(0.25, within(1e-12));
  }

  @Test
  void shares_cascadingCaps_neverExceedCap() {
    // After capping operator 1, operator 2 exceeds the cap too and is capped in a second round.
    StakeWeightedSelector s = new StakeWeightedSelector(0.4);
    List<Candidate> c = List.of(node(1, 1, 70), node(2, 2, 20), node(3, 3, 6), node(4, 4, 4));
    Map<EthAddress, Double> shares = s.operatorShares(c);
    assertThat(shares.get(addr(1))).isCloseTo(0.4, within(1e-12));
    assertThat(shares.get(addr(2))).isCloseTo(0.4, within(1e-12));
    assertThat(shares.get(addr(3))).isCloseTo(0.12, within(1e-12));
    assertThat(shares.get(addr(4))).isCloseTo(0.08, within(1e-12));
    assertThat(shares.values().stream().mapToDouble(Double::doubleValue).sum())
        .isCloseTo(1.0, within(1e-12));
  }

  @Test
  void shares_tooFewOperatorsForCap_splitEvenly() {
    StakeWeightedSelector s = new StakeWeightedSelector(0.3);
    List<Candidate> c = List.of(node(1, 1, 90), node(2, 2, 10));
    assertThat(s.operatorShares(c).values()).containsExactly(0.5, 0.5);
  }

  @Test
  void shares_randomNetworks_neverAboveCapWhenFeasible() {
    SplittableRandom r = new SplittableRandom(7);
    for (int trial = 0; trial < 500; trial++) {
      int ops = 2 + r.nextInt(6);
      double cap = 0.2 + r.nextDouble() * 0.8;
      List<Candidate> c = new ArrayList<>();
      for (int i = 0; i < 1 + r.nextInt(10); i++) {
        c.add(node(i, 1 + r.nextInt(ops), 1 + r.nextInt(1000)));
      }
      StakeWeightedSelector s = new StakeWeightedSelector(cap);
      Map<EthAddress, Double> shares = s.operatorShares(c);
      double sum = shares.values().stream().mapToDouble(Double::doubleValue).sum();
      assertThat(sum).isCloseTo(1.0, within(1e-9));
      if (shares.size() * cap > 1.0) {
        assertThat(shares.values()).allMatch(v -> v <= cap + 1e-9);
      }
      double p = 0;
      for (double x : s.probabilities(c)) {
        p += x;
      }
      assertThat(p).isCloseTo(1.0, within(1e-9));
    }
  }

  @Test
  void choose_seeded_isDeterministic_andFrequenciesMatchCappedShares() {
    StakeWeightedSelector s = new StakeWeightedSelector(0.5);
    // Two nodes of operator 1 hold 80% of stake: capped to half of all choices.
    List<Candidate> c = List.of(node(1, 1, 40), node(2, 1, 40), node(3, 2, 15), node(4, 3, 5));
    List<Candidate> a = new ArrayList<>();
    List<Candidate> b = new ArrayList<>();
    SplittableRandom ra = new SplittableRandom(42);
    SplittableRandom rb = new SplittableRandom(42);
    Map<EthAddress, Integer> perOperator = new HashMap<>();
    int n = 40_000;
    for (int i = 0; i < n; i++) {
      Candidate x = s.choose(c, ra);
      a.add(x);
      b.add(s.choose(c, rb));
      perOperator.merge(x.operator(), 1, Integer::sum);
    }
    assertThat(a).isEqualTo(b);
    assertThat(perOperator.get(addr(1)) / (double) n).isCloseTo(0.5, within(0.015));
    assertThat(perOperator.get(addr(2)) / (double) n).isCloseTo(0.375, within(0.015));
    assertThat(perOperator.get(addr(3)) / (double) n).isCloseTo(0.125, within(0.015));
  }

  @Test
  void rank_triesOtherOperatorsBeforeASecondNodeOfTheSameOperator() {
    StakeWeightedSelector s = new StakeWeightedSelector(0.5);
    List<Candidate> c = List.of(node(1, 1, 10), node(2, 1, 10), node(3, 2, 10), node(4, 3, 10));
    SplittableRandom r = new SplittableRandom(1);
    for (int i = 0; i < 200; i++) {
      List<Candidate> ranked = s.rank(c, r);
      assertThat(ranked).containsExactlyInAnyOrderElementsOf(c);
      // The first three are three distinct operators.
      assertThat(ranked.subList(0, 3).stream().map(Candidate::operator).distinct()).hasSize(3);
    }
  }

  @Test
  void cap_outOfRange_rejected() {
    assertThatThrownBy(() -> new StakeWeightedSelector(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("(0, 1]");
    assertThatThrownBy(() -> new StakeWeightedSelector(1.5))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void choose_empty_rejected() {
    assertThatThrownBy(
            () -> new StakeWeightedSelector(0.5).choose(List.of(), new SplittableRandom(1)))
        .hasMessageContaining("no candidates");
  }
}
