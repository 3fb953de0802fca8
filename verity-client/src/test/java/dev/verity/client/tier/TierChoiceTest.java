package dev.verity.client.tier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import dev.verity.audit.tier.Assumptions;
import dev.verity.audit.tier.NoTierWithinBudgetException;
import dev.verity.audit.tier.Tier;
import dev.verity.client.routing.Candidate;
import dev.verity.core.Bytes;
import dev.verity.receipt.eth.EthAddress;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class TierChoiceTest {
  static final Assumptions HONEST = new Assumptions(0.0, 8);

  @Test
  void sample_statesDetectionP_timesHonestShare() {
    TierChoice c = TierChoice.of("sample:0.25", new Assumptions(0.2, 8));
    assertThat(c.policy().text()).isEqualTo("sample:0.25");
    assertThat(c.detectionProbability()).isCloseTo(0.25 * 0.8, offset(1e-12));
    assertThat(c.cost()).isCloseTo(1.25, offset(1e-12));
  }

  @Test
  void valueAtRisk_smallRisk_picksSampleJustEnough() {
    // V = 1000, budget 100: P(undetected) <= 0.1, so p = 0.9 with honest auditors.
    TierChoice c = TierChoice.of("var:1000:100", HONEST);
    assertThat(c.tier()).isInstanceOf(Tier.Sample.class);
    assertThat(c.policy().text()).isEqualTo("sample:0.9");
    assertThat((1 - c.detectionProbability()) * 1000).isLessThanOrEqualTo(100.0 + 1e-9);
  }

  @Test
  void valueAtRisk_highRisk_withColluders_picksCheapestReplicate() {
    // f = 1/3: sample can never get below 2/3 undetected; replicate:k gives (1/3)^k.
    TierChoice c = TierChoice.of("var:1000:10", Assumptions.HONEST_MAJORITY_THIRD);
    assertThat(c.policy().text()).isEqualTo("replicate:5");
    assertThat((1 - c.detectionProbability()) * 1000).isLessThanOrEqualTo(10.0);
    assertThat(c.describe()).contains("var:1000:10 -> replicate:5");
  }

  @Test
  void valueAtRisk_unreachableBudget_throwsNamingTheBest() {
    assertThatThrownBy(() -> TierChoice.of("var:1000000000:0.000001"))
        .isInstanceOf(NoTierWithinBudgetException.class)
        .hasMessageContaining("replicate:8");
  }

  @Test
  void badText_throwsNamingTheTier() {
    assertThatThrownBy(() -> TierChoice.of("sample:2"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sample:2");
    assertThatThrownBy(() -> TierChoice.of("always"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected none, sample:P, replicate:K or var:V:BUDGET");
  }

  static Candidate cand(int node, int op) {
    byte[] n = new byte[20];
    n[19] = (byte) node;
    byte[] o = new byte[20];
    o[0] = (byte) op;
    return new Candidate(
        new EthAddress(Bytes.copyOf(n)),
        new EthAddress(Bytes.copyOf(o)),
        URI.create("http://127.0.0.1:" + (9000 + node)),
        BigInteger.ONE);
  }

  @Test
  void replicas_takeDistinctOperators_inPlanOrder() throws IOException {
    List<Candidate> plan = List.of(cand(1, 1), cand(2, 1), cand(3, 2), cand(4, 3));
    assertThat(ReplicatedInference.replicas(plan, 3))
        .extracting(c -> c.endpoint().getPort())
        .containsExactly(9001, 9003, 9004);
    assertThatThrownBy(() -> ReplicatedInference.replicas(plan.subList(0, 3), 3))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("needs 3 operators")
        .hasMessageContaining("found 2");
  }
}
