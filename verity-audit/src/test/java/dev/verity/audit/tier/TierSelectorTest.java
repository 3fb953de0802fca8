package dev.verity.audit.tier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.receipt.VerificationPolicy;
import java.math.BigDecimal;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class TierSelectorTest {
  private static final Assumptions F0 = new Assumptions(0.0, 8);
  private static final Assumptions F_THIRD = new Assumptions(1.0 / 3.0, 8);

  @Test
  void cheapest_budgetCoversValue_picksNone() {
    AuditDecision d = TierSelector.cheapest(BigDecimal.TEN, BigDecimal.TEN, F_THIRD);
    assertThat(d.tier()).isEqualTo(new Tier.None());
    assertThat(d.cost()).isEqualTo(1.0);
    assertThat(d.undetectedProbability()).isEqualTo(1.0);
    assertThat(d.policy().text()).isEqualTo("none");
  }

  @Test
  void cheapest_tenPercentBudget_honestAuditors_samplesNinetyPercent() {
    AuditDecision d = TierSelector.cheapest(new BigDecimal("100"), new BigDecimal("10"), F0);
    assertThat(d.tier()).isEqualTo(new Tier.Sample(new BigDecimal("0.9")));
    assertThat(d.cost()).isEqualTo(1.9);
    assertThat(d.undetectedProbability())
        .isCloseTo(0.1, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(d.policy().text()).isEqualTo("sample:0.9");
  }

  @Test
  void cheapest_tinyBudget_withDishonestThird_replicates() {
    // f = 1/3: sample can reach at best P = 1/3; 1000 × (1/3)^k ≤ 1 needs k = 7.
    AuditDecision d = TierSelector.cheapest(new BigDecimal("1000"), BigDecimal.ONE, F_THIRD);
    assertThat(d.tier()).isEqualTo(new Tier.Replicate(7));
    assertThat(d.undetectedProbability()).isEqualTo(Math.pow(1.0 / 3.0, 7));
  }

  @Test
  void cheapest_unreachable_throwsNamingBest() {
    assertThatThrownBy(
            () -> TierSelector.cheapest(new BigDecimal("1000000"), BigDecimal.ONE, F_THIRD))
        .isInstanceOf(NoTierWithinBudgetException.class)
        .hasMessageContaining("replicate:8");
  }

  @Test
  void cheapest_zeroBudget_withoutDishonestStake_needsCertainty() {
    AuditDecision d = TierSelector.cheapest(BigDecimal.ONE, BigDecimal.ZERO, F0);
    assertThat(d.tier()).isEqualTo(new Tier.Sample(BigDecimal.ONE));
    assertThat(d.undetectedProbability()).isEqualTo(0.0);
  }

  @Test
  void decide_concretePolicy_mapsToItsTier() {
    AuditDecision d = TierSelector.decide(VerificationPolicy.parse("replicate:3"), F_THIRD);
    assertThat(d.tier()).isEqualTo(new Tier.Replicate(3));
    assertThat(d.cost()).isEqualTo(3.0);
    assertThat(d.undetectedProbability())
        .isCloseTo(1.0 / 27.0, org.assertj.core.data.Offset.offset(1e-15));
    AuditDecision s = TierSelector.decide(VerificationPolicy.parse("sample:0.25"), F0);
    assertThat(s.undetectedProbability()).isEqualTo(0.75);
    assertThat(s.cost()).isEqualTo(1.25);
  }

  @Test
  void tier_badParameters_throw() {
    assertThatThrownBy(() -> new Tier.Sample(BigDecimal.ZERO)).hasMessageContaining("(0, 1]");
    assertThatThrownBy(() -> new Tier.Replicate(1)).hasMessageContaining("2 to 64");
    assertThatThrownBy(() -> new Assumptions(1.0, 4)).hasMessageContaining("[0, 1)");
    assertThatThrownBy(() -> Tier.of(VerificationPolicy.parse("var:10:1")))
        .hasMessageContaining("TierSelector");
  }

  @Property(tries = 500)
  void cheapest_isWithinBudget_andNoCheaperTierIs(
      @ForAll @DoubleRange(min = 0.01, max = 1e6) double value,
      @ForAll @DoubleRange(min = 0.0, max = 1.0) double budgetShare,
      @ForAll @DoubleRange(min = 0.0, max = 0.6) double f,
      @ForAll @IntRange(min = 2, max = 64) int maxK) {
    Assumptions a = new Assumptions(f, maxK);
    BigDecimal v = BigDecimal.valueOf(value);
    BigDecimal b = BigDecimal.valueOf(value * budgetShare);
    AuditDecision d;
    try {
      d = TierSelector.cheapest(v, b, a);
    } catch (NoTierWithinBudgetException e) {
      // Then even the strongest tier misses the budget.
      assertThat(Math.pow(f, maxK) * v.doubleValue()).isGreaterThan(b.doubleValue());
      return;
    }
    assertThat(d.undetectedProbability() * v.doubleValue())
        .isLessThanOrEqualTo(b.doubleValue() * (1 + 1e-9));
    assertThat(d.undetectedProbability()).isEqualTo(d.tier().undetectedProbability(a));
    assertThat(d.cost()).isEqualTo(d.tier().cost());
    // Any cheaper sample tier (1e-6 below) or smaller replicate misses the budget.
    switch (d.tier()) {
      case Tier.Sample s -> {
        BigDecimal lower = s.p().subtract(new BigDecimal("0.000001"));
        if (lower.signum() > 0) {
          // Rounding p up to 6 decimals may overshoot the exact minimum by at most 1e-6.
          assertThat(new Tier.Sample(lower).undetectedProbability(a) * v.doubleValue())
              .isGreaterThan(b.doubleValue() * (1 - 1e-9));
        }
        assertThat(v.doubleValue()).isGreaterThan(b.doubleValue());
      }
      case Tier.Replicate r -> {
        // Above k = 2 no sample tier fits (cost ≤ 2) and k − 1 replicas miss.
        if (r.k() > 2) {
          assertThat(new Tier.Sample(BigDecimal.ONE).undetectedProbability(a) * v.doubleValue())
              .isGreaterThan(b.doubleValue() * (1 + 1e-12));
          assertThat(new Tier.Replicate(r.k() - 1).undetectedProbability(a) * v.doubleValue())
              .isGreaterThan(b.doubleValue() * (1 + 1e-12));
        }
      }
      case Tier.None n ->
          assertThat(v.doubleValue()).isLessThanOrEqualTo(b.doubleValue() * (1 + 1e-12));
    }
  }

  @Property(tries = 200)
  void probabilities_decreaseWithStrength(
      @ForAll @DoubleRange(min = 0.0, max = 0.9) double f,
      @ForAll @IntRange(min = 2, max = 63) int k,
      @ForAll @IntRange(min = 1, max = 999) int thousandths) {
    Assumptions a = new Assumptions(f, 64);
    assertThat(new Tier.Replicate(k + 1).undetectedProbability(a))
        .isLessThanOrEqualTo(new Tier.Replicate(k).undetectedProbability(a));
    BigDecimal pd = BigDecimal.valueOf(thousandths, 3);
    assertThat(new Tier.Sample(pd).undetectedProbability(a))
        .isCloseTo(1 - pd.doubleValue() * (1 - f), org.assertj.core.data.Offset.offset(1e-12));
    assertThat(new Tier.Sample(pd).cost()).isEqualTo(1 + pd.doubleValue());
  }
}
