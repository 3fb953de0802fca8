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
    for (long v : m.candidates(key)) {
      out.add(v);
    }
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
  void candidates_areEveryValueUnderTheKey_andNoOther() {
    LongMultiMap m = new LongMultiMap();
    m.put(5, 10);
    m.put(5, 11);
    m.put(5, 12);
    m.put(6 + 1024, 13); // a neighbour in the probe chain, under another key
    assertThat(m.candidates(5)).containsExactlyInAnyOrder(10L, 11L, 12L);
    assertThat(m.candidates(6)).isEmpty();
  }

  @Test
  void put_refusesValuesOutsideItsRange() {
    LongMultiMap m = new LongMultiMap();
    assertThatThrownBy(() -> m.put(1, -1)).hasMessageContaining("value must be in");
    m.put(1, 0);
    assertThat(all(m, 1)).containsExactly(0L);
  }
}
