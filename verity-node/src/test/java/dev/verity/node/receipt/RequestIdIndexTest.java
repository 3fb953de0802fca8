package dev.verity.node.receipt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RequestIdIndexTest {
  /** A log as a list of request ids; counts reads. */
  static final class FakeLog implements RequestIdIndex.Entries {
    final List<String> ids = new ArrayList<>();
    final AtomicInteger reads = new AtomicInteger();

    @Override
    public synchronized String requestIdAt(long index) {
      reads.incrementAndGet();
      return ids.get((int) index);
    }

    synchronized long append(String id) {
      ids.add(id);
      return ids.size() - 1;
    }
  }

  @Test
  void reservedIds_areRefusedWhilePending_andOnceDurable_andFoundByIndex() throws Exception {
    FakeLog log = new FakeLog();
    RequestIdIndex index = new RequestIdIndex(log);
    assertThat(index.reserve("a")).isTrue();
    assertThat(index.reserve("a")).isFalse(); // being signed
    assertThat(index.durableIndex("a")).isEmpty();
    index.durable("a", log.append("a"));
    assertThat(index.reserve("a")).isFalse(); // in the log
    assertThat(index.durableIndex("a")).contains(0L);
    // A released claim frees the id.
    assertThat(index.reserve("b")).isTrue();
    index.release("b");
    assertThat(index.reserve("b")).isTrue();
    assertThat(index.durableIndex("nope")).isEmpty();
  }

  @Test
  void manyIds_eachFoundAtItsIndex_readingAboutOneEntryPerLookup() throws Exception {
    FakeLog log = new FakeLog();
    RequestIdIndex index = new RequestIdIndex(log);
    int n = 20_000;
    for (int i = 0; i < n; i++) {
      String id = "req-" + i;
      assertThat(index.reserve(id)).isTrue();
      index.durable(id, log.append(id));
    }
    // Fresh ids only read the log on a 64-bit hash collision: practically never.
    assertThat(log.reads.get()).isZero();
    for (int i = 0; i < n; i += 97) {
      assertThat(index.durableIndex("req-" + i)).contains((long) i);
    }
    assertThat(log.reads.get()).isEqualTo((n + 96) / 97);
    // Rebuilt from the log (as on start): the same answers.
    RequestIdIndex again = new RequestIdIndex(log);
    for (int i = 0; i < n; i++) {
      again.recovered(log.ids.get(i), i);
    }
    assertThat(again.reserve("req-19999")).isFalse();
    assertThat(again.reserve("req-20000")).isTrue();
  }

  @Test
  void concurrentClaimsOfOneId_exactlyOneWins() throws Exception {
    FakeLog log = new FakeLog();
    RequestIdIndex index = new RequestIdIndex(log);
    for (int round = 0; round < 50; round++) {
      String id = "race-" + round;
      List<CompletableFuture<Boolean>> claims = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        claims.add(
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    boolean won = index.reserve(id);
                    if (won) {
                      index.durable(id, log.append(id));
                    }
                    return won;
                  } catch (IOException e) {
                    throw new IllegalStateException(e);
                  }
                }));
      }
      assertThat(claims.stream().filter(CompletableFuture::join).count()).isEqualTo(1);
    }
  }

  @Test
  void aLogReadFailure_isReported_andLeavesNoClaim() {
    RequestIdIndex index =
        new RequestIdIndex(
            i -> {
              throw new IOException("disk gone");
            });
    index.durable("x", 0);
    assertThatThrownBy(() -> index.reserve("x"))
        .isInstanceOf(IOException.class)
        .hasMessage("disk gone");
    // The failed claim was given back: the id is not stuck as pending.
    index.release("x");
    assertThatThrownBy(() -> index.reserve("x")).hasMessage("disk gone");
  }
}
