package dev.verity.node.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LongMultiMapTest {
  static List<Long> all(LongMultiMap m, long key) {
    List<Long> out = new ArrayList<>();
    m.anyMatch(
        key,
        v -> {
          out.add(v);
          return false;
        });
    return out;
  }

  @Test
  void agreesWithAHashMapOfLists_acrossGrowth_andWithCollidingKeys() {
    LongMultiMap m = new LongMultiMap(16);
    Map<Long, List<Long>> expected = new HashMap<>();
    Random r = new Random(7);
    for (int i = 0; i < 50_000; i++) {
      // Few distinct keys among many, and keys equal in their low bits: long probe chains.
      long key = r.nextInt(4) == 0 ? (r.nextLong(64) << 32) : r.nextLong();
      m.put(key, i);
      expected.computeIfAbsent(key, k -> new ArrayList<>()).add((long) i);
    }
    assertThat(m.size()).isEqualTo(50_000);
    for (Map.Entry<Long, List<Long>> e : expected.entrySet()) {
      assertThat(all(m, e.getKey())).containsExactlyInAnyOrderElementsOf(e.getValue());
    }
    assertThat(all(m, 12345L << 40 | 1)).isEmpty();
  }

  @Test
  void anyMatch_stopsAtTheAcceptedCandidate() {
    LongMultiMap m = new LongMultiMap();
    m.put(5, 10);
    m.put(5, 11);
    m.put(5, 12);
    List<Long> seen = new ArrayList<>();
    assertThat(
            m.anyMatch(
                5,
                v -> {
                  seen.add(v);
                  return v == 11;
                }))
        .isTrue();
    assertThat(seen).containsExactly(10L, 11L);
    assertThat(m.anyMatch(6, v -> true)).isFalse();
  }

  @Test
  void put_refusesValuesOutsideItsRange() {
    LongMultiMap m = new LongMultiMap();
    assertThatThrownBy(() -> m.put(1, -1)).hasMessageContaining("value must be in");
    m.put(1, 0);
    assertThat(all(m, 1)).containsExactly(0L);
  }
}
