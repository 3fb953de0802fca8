package dev.verity.llm.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class SamplerTest {
  @Test
  void splitMix64_matchesPublishedSequenceForSeedZero() {
    // Reference values of SplitMix64 (Vigna's splitmix64.c) seeded with 0.
    assertThat(SplitMix64.valueAt(0, 0)).isEqualTo(0xE220A8397B1DCDAFL);
    assertThat(SplitMix64.valueAt(0, 1)).isEqualTo(0x6E789E6AA1B965F4L);
    assertThat(SplitMix64.valueAt(0, 2)).isEqualTo(0x06C45D188009454FL);
    SplitMix64 g = new SplitMix64(0);
    assertThat(g.nextLong()).isEqualTo(0xE220A8397B1DCDAFL);
    assertThat(g.drawn()).isEqualTo(1);
  }

  @Test
  void floatAt_isTop24BitsTimes2ToMinus24() {
    long v = SplitMix64.valueAt(42, 7);
    float f = SplitMix64.floatAt(42, 7);
    assertThat(f).isEqualTo((v >>> 40) / 16777216f);
    assertThat(f).isGreaterThanOrEqualTo(0f).isLessThan(1f);
  }

  @Property(tries = 200)
  void floatAt_alwaysInUnitInterval(@ForAll long seed, @ForAll long index) {
    float f = SplitMix64.floatAt(seed, index);
    assertThat(f).isGreaterThanOrEqualTo(0f).isLessThan(1f);
  }

  @Test
  void greedy_tiesGoToLowestIndex() {
    Sampler s = new Sampler(5, 0f, 1f, 1);
    assertThat(s.sample(new float[] {1f, 3f, 2f, 3f, 3f}, 5)).isEqualTo(1);
    assertThat(s.draws()).isZero();
  }

  @Test
  void sameSeed_sameTokens_differentSeed_differentTokens() {
    float[] logits = new float[50];
    for (int i = 0; i < logits.length; i++) {
      logits[i] = (float) Math.sin(i) * 3;
    }
    int[] a = draw(new Sampler(50, 1f, 0.9f, 123), logits, 200);
    int[] b = draw(new Sampler(50, 1f, 0.9f, 123), logits, 200);
    int[] c = draw(new Sampler(50, 1f, 0.9f, 124), logits, 200);
    assertThat(a).isEqualTo(b);
    assertThat(a).isNotEqualTo(c);
  }

  @Test
  void topP_samplesOnlyFromTheNucleus() {
    // Probabilities after softmax of log(p): 0.5, 0.3, 0.15, 0.05. With top_p 0.7 the nucleus
    // is {0, 1} (0.5 + 0.3 > 0.7).
    float[] logits = {
      (float) Math.log(0.5), (float) Math.log(0.3), (float) Math.log(0.15), (float) Math.log(0.05)
    };
    Map<Integer, Integer> counts = new HashMap<>();
    Sampler s = new Sampler(4, 1f, 0.7f, 9);
    for (int i = 0; i < 4000; i++) {
      counts.merge(s.sample(logits.clone(), 4), 1, Integer::sum);
    }
    assertThat(counts.keySet()).containsExactlyInAnyOrder(0, 1);
    // Renormalised: 0.5/0.8 = 0.625.
    assertThat(counts.get(0) / 4000.0).isBetween(0.59, 0.66);
  }

  @Test
  void topP_equalProbabilities_orderedByIndex() {
    // Four equal probabilities (0.25): the running sum first exceeds top_p 0.5 at the third
    // token in index order, so the nucleus is {0, 1, 2}.
    float[] logits = {0f, 0f, 0f, 0f};
    Sampler s = new Sampler(4, 1f, 0.5f, 3);
    for (int i = 0; i < 500; i++) {
      assertThat(s.sample(logits.clone(), 4)).isIn(0, 1, 2);
    }
  }

  @Test
  void multinomial_followsProbabilities() {
    float[] logits = {(float) Math.log(0.2), (float) Math.log(0.8)};
    Sampler s = new Sampler(2, 1f, 1f, 5);
    int ones = 0;
    for (int i = 0; i < 4000; i++) {
      ones += s.sample(logits.clone(), 2);
    }
    assertThat(ones / 4000.0).isBetween(0.77, 0.83);
    assertThat(s.draws()).isEqualTo(4000);
  }

  @Test
  void badParameters_throwNamingThem() {
    assertThatThrownBy(() -> new Sampler(4, -1f, 1f, 0)).hasMessageContaining("temperature");
    assertThatThrownBy(() -> new Sampler(4, Float.NaN, 1f, 0)).hasMessageContaining("temperature");
    assertThatThrownBy(() -> new Sampler(4, 1f, 1.5f, 0)).hasMessageContaining("top_p");
  }

  private static int[] draw(Sampler s, float[] logits, int n) {
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = s.sample(logits.clone(), logits.length);
    }
    return out;
  }
}
