package dev.verity.audit.draw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class NakamotoTest {
  private static List<BigInteger> w(long... v) {
    List<BigInteger> out = new ArrayList<>();
    for (long x : v) {
      out.add(BigInteger.valueOf(x));
    }
    return out;
  }

  @Test
  void coefficient_exactThirdIsNotMoreThanAThird() {
    // 1/3 exactly is not > 1/3: a second operator is needed.
    assertThat(Nakamoto.coefficient(w(1, 1, 1), 1, 3)).isEqualTo(2);
    assertThat(Nakamoto.coefficient(w(1, 1), 1, 2)).isEqualTo(2);
    assertThat(Nakamoto.coefficient(w(34, 33, 33), 1, 3)).isEqualTo(1);
    assertThat(Nakamoto.coefficient(w(40, 30, 20, 10), 1, 2)).isEqualTo(2);
    assertThat(Nakamoto.coefficient(w(), 1, 2)).isZero();
  }

  @Test
  void of_reportsBothThresholds() {
    Map<String, BigInteger> m = new LinkedHashMap<>();
    m.put("a", BigInteger.valueOf(10));
    m.put("b", BigInteger.valueOf(10));
    m.put("c", BigInteger.valueOf(10));
    m.put("d", BigInteger.valueOf(10));
    m.put("e", BigInteger.ZERO);
    assertThat(Nakamoto.of(m)).isEqualTo(new Nakamoto.Coefficients(2, 3, 4));
  }

  @Test
  void ofEvents_and_ofStake_groupByOperator() {
    // 5 assignments: a 3, b 1, c 1 → a alone has > 1/2.
    assertThat(Nakamoto.ofEvents(List.of("a", "b", "a", "c", "a")))
        .isEqualTo(new Nakamoto.Coefficients(1, 1, 3));
    // Stake: op1 6 (two nodes), op2 2, op3 2 of 10 → op1 alone > 1/2.
    assertThat(Nakamoto.ofStake(AuditDrawTest.SET)).isEqualTo(new Nakamoto.Coefficients(1, 1, 3));
  }

  @Test
  void coefficient_badInput_throws() {
    assertThatThrownBy(() -> Nakamoto.coefficient(w(-1), 1, 2)).hasMessageContaining("negative");
    assertThatThrownBy(() -> Nakamoto.coefficient(w(1), 2, 2)).hasMessageContaining("fraction");
  }

  @Property(tries = 300)
  void coefficient_isMinimal_overBruteForce(
      @ForAll @Size(min = 1, max = 9) List<@IntRange(min = 0, max = 50) Integer> ws) {
    List<BigInteger> weights = ws.stream().map(BigInteger::valueOf).toList();
    long total = ws.stream().mapToLong(i -> i).sum();
    for (int[] t : new int[][] {{1, 3}, {1, 2}}) {
      int got = Nakamoto.coefficient(weights, t[0], t[1]);
      if (total == 0) {
        assertThat(got).isZero();
        continue;
      }
      int best = Integer.MAX_VALUE;
      for (int mask = 1; mask < (1 << ws.size()); mask++) {
        long s = 0;
        for (int i = 0; i < ws.size(); i++) {
          if ((mask & (1 << i)) != 0) {
            s += ws.get(i);
          }
        }
        if (s * t[1] > total * t[0]) {
          best = Math.min(best, Integer.bitCount(mask));
        }
      }
      assertThat(got).isEqualTo(best);
    }
  }
}
