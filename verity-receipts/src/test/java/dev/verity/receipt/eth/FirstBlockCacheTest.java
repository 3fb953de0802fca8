package dev.verity.receipt.eth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** A remembered first block must never change a digest: every result is checked against BC. */
class FirstBlockCacheTest {
  static byte[] message(Random r, byte[][] firstBlocks, int tailLength) {
    byte[] first = firstBlocks[r.nextInt(firstBlocks.length)];
    byte[] m = Arrays.copyOf(first, first.length + tailLength);
    for (int i = first.length; i < m.length; i++) {
      m[i] = (byte) r.nextInt();
    }
    return m;
  }

  static byte[][] firstBlocks(Random r, int n) {
    byte[][] blocks = new byte[n][Keccak.RATE];
    for (byte[] b : blocks) {
      r.nextBytes(b);
      b[0] = 7; // shared leading bytes, as type hashes make them
    }
    return blocks;
  }

  static byte[] hash(Keccak.FirstBlockCache cache, byte[] m) {
    byte[] out = new byte[32];
    cache.keccak256(m, 0, m.length, out, 0);
    return out;
  }

  @Property(tries = 200)
  void keccak256_moreFirstBlocksThanCapacity_matchesBouncyCastle(
      @ForAll @IntRange(min = 1, max = 4) int capacity, @ForAll long seed) {
    Random r = new Random(seed);
    byte[][] blocks = firstBlocks(r, 6);
    Keccak.FirstBlockCache cache = new Keccak.FirstBlockCache(capacity);
    for (int i = 0; i < 30; i++) {
      byte[] m = message(r, blocks, r.nextInt(400));
      // Also messages shorter than a block: a prefix of one.
      int length = r.nextInt(8) == 0 ? r.nextInt(Keccak.RATE) : m.length;
      int offset = r.nextInt(3);
      byte[] framed = new byte[offset + length + 2];
      System.arraycopy(m, 0, framed, offset, length);
      byte[] out = new byte[34];
      cache.keccak256(framed, offset, length, out, 1);
      assertThat(Arrays.copyOfRange(out, 1, 33))
          .isEqualTo(BouncyCastleEip712.keccak256(Arrays.copyOf(m, length)));
    }
  }

  @Test
  void keccak256_sameFirstBlock_otherTails_eachCorrect() {
    Random r = new Random(1);
    byte[][] blocks = firstBlocks(r, 1);
    Keccak.FirstBlockCache cache = new Keccak.FirstBlockCache(1);
    byte[] a = message(r, blocks, 100);
    byte[] b = message(r, blocks, 0);
    byte[] c = message(r, blocks, 300);
    for (int round = 0; round < 2; round++) {
      for (byte[] m : new byte[][] {a, b, c}) {
        assertThat(hash(cache, m)).isEqualTo(BouncyCastleEip712.keccak256(m));
      }
    }
  }

  @Test
  void keccak256_callerChangesItsArrayAfterwards_cacheUnaffected() {
    Random r = new Random(2);
    byte[] m = message(r, firstBlocks(r, 1), 50);
    byte[] expected = BouncyCastleEip712.keccak256(m);
    Keccak.FirstBlockCache cache = new Keccak.FirstBlockCache(2);
    hash(cache, m);
    byte[] changed = m.clone();
    changed[5] ^= 1;
    assertThat(hash(cache, changed)).isEqualTo(BouncyCastleEip712.keccak256(changed));
    m[5] ^= 1;
    m[5] ^= 1;
    assertThat(hash(cache, m.clone())).isEqualTo(expected);
  }

  @Test
  void keccak256_fromSeveralThreads_matchesBouncyCastle() throws Exception {
    byte[][] blocks = firstBlocks(new Random(3), 10);
    Keccak.FirstBlockCache cache = new Keccak.FirstBlockCache(4);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        long seed = t;
        results.add(
            pool.submit(
                () -> {
                  Random r = new Random(seed);
                  int checked = 0;
                  for (int i = 0; i < 2000; i++) {
                    byte[] m = message(r, blocks, r.nextInt(200));
                    assertThat(hash(cache, m)).isEqualTo(BouncyCastleEip712.keccak256(m));
                    checked++;
                  }
                  return checked;
                }));
      }
      for (Future<Integer> f : results) {
        assertThat(f.get()).isEqualTo(2000);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void new_capacityBelowOne_throws() {
    assertThatThrownBy(() -> new Keccak.FirstBlockCache(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("capacity must be at least 1, got 0");
  }
}
