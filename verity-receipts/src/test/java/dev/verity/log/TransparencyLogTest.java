package dev.verity.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.core.Bytes;
import dev.verity.log.note.SignedCheckpoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TransparencyLogTest {
  @TempDir Path dir;

  static byte[] entry(int i) {
    return ("entry number " + i).getBytes(StandardCharsets.UTF_8);
  }

  TransparencyLog open() throws IOException {
    return TransparencyLog.open(dir, TransparencyLog.Options.defaults(TestKeys.logSigner()));
  }

  @Test
  void append_concurrently_everyEntryDurableAndProvable() throws Exception {
    List<CompletableFuture<Appended>> fs = new ArrayList<>();
    try (TransparencyLog log = open()) {
      List<Thread> threads = new ArrayList<>();
      List<List<CompletableFuture<Appended>>> perThread = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        List<CompletableFuture<Appended>> mine = new ArrayList<>();
        perThread.add(mine);
        int base = t * 100;
        threads.add(
            Thread.ofVirtual()
                .start(
                    () -> {
                      for (int i = 0; i < 100; i++) {
                        mine.add(log.append(entry(base + i)));
                      }
                    }));
      }
      for (Thread th : threads) {
        th.join();
      }
      perThread.forEach(fs::addAll);
      CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).join();
      assertThat(log.size()).isEqualTo(800);
      SignedCheckpoint cp = log.checkpoint();
      assertThat(cp.checkpoint().size()).isEqualTo(800);
      for (CompletableFuture<Appended> f : fs) {
        Appended a = f.join();
        byte[] e = log.entry(a.index());
        assertThat(Rfc9162.leafHash(Bytes.copyOf(e))).isEqualTo(a.leafHash());
        log.inclusionProof(a.index(), 800).verify(a.leafHash(), cp.checkpoint().rootHash());
      }
    }
    try (TransparencyLog again = open()) {
      assertThat(again.size()).isEqualTo(800);
      assertThat(again.checkpoint().checkpoint().size()).isEqualTo(800);
      SignedCheckpoint persisted =
          SignedCheckpoint.verify(
              Files.readString(dir.resolve("checkpoint")), TestKeys.logSigner().verifierKey());
      assertThat(persisted.checkpoint().size()).isEqualTo(800);
      assertThat(again.rootHash(800)).isEqualTo(persisted.checkpoint().rootHash());
    }
  }

  @Test
  void open_tornTailRecord_droppedAndLogStillAppends() throws Exception {
    try (TransparencyLog log = open()) {
      for (int i = 0; i < 10; i++) {
        log.append(entry(i)).join();
      }
    }
    long goodSize = Files.size(dir.resolve("entries"));
    // A record header promising 100 bytes followed by only 5: a write cut short by a crash.
    Files.write(
        dir.resolve("entries"),
        new byte[] {0, 0, 0, 100, 1, 2, 3, 4, 5},
        StandardOpenOption.APPEND);
    try (TransparencyLog log = open()) {
      assertThat(log.size()).isEqualTo(10);
      assertThat(Files.size(dir.resolve("entries"))).isEqualTo(goodSize);
      assertThat(log.append(entry(10)).join().index()).isEqualTo(10);
    }
    try (TransparencyLog log = open()) {
      assertThat(log.size()).isEqualTo(11);
      assertThat(log.entry(10)).isEqualTo(entry(10));
    }
  }

  @Test
  void open_damagedAcknowledgedRecord_refuses() throws Exception {
    try (TransparencyLog log = open()) {
      for (int i = 0; i < 10; i++) {
        log.append(entry(i)).join();
      }
    }
    byte[] all = Files.readAllBytes(dir.resolve("entries"));
    all[20] ^= 1;
    Files.write(dir.resolve("entries"), all);
    assertThatThrownBy(this::open)
        .isInstanceOf(LogCorruptedException.class)
        .hasMessageContaining("signed checkpoint covers 10");
  }

  @Test
  void open_checkpointFromAnotherKey_refuses() throws Exception {
    try (TransparencyLog log = open()) {
      log.append(entry(0)).join();
    }
    try (TransparencyLog other =
        TransparencyLog.open(
            dir.resolve("other"), TransparencyLog.Options.defaults(TestKeys.otherLogSigner()))) {
      other.append(entry(0)).join();
    }
    Files.copy(
        dir.resolve("other/checkpoint"),
        dir.resolve("checkpoint"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertThatThrownBy(this::open)
        .isInstanceOf(LogCorruptedException.class)
        .hasMessageContaining("persisted checkpoint is invalid");
  }

  @Test
  void open_entriesRewrittenUnderCheckpoint_refuses() throws Exception {
    try (TransparencyLog log = open()) {
      log.append(entry(0)).join();
      log.append(entry(1)).join();
    }
    Path saved = dir.resolve("saved-checkpoint");
    Files.copy(dir.resolve("checkpoint"), saved);
    Files.delete(dir.resolve("entries"));
    Files.delete(dir.resolve("checkpoint"));
    try (TransparencyLog log = open()) {
      log.append(entry(7)).join();
      log.append(entry(8)).join();
    }
    Files.copy(saved, dir.resolve("checkpoint"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertThatThrownBy(this::open)
        .isInstanceOf(LogCorruptedException.class)
        .hasMessageContaining("does not match the persisted signed checkpoint");
  }

  @Test
  void open_logAlreadyOpen_refused() throws Exception {
    try (TransparencyLog log = open()) {
      assertThat(log.size()).isZero();
      assertThatThrownBy(this::open)
          .isInstanceOf(IOException.class)
          .hasMessageContaining("already open");
    }
  }

  @Test
  void append_oversizedEntry_rejected() throws Exception {
    try (TransparencyLog log = open()) {
      assertThatThrownBy(() -> log.append(new byte[70_000]))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("65535");
    }
  }

  @Test
  void append_afterClose_fails() throws Exception {
    TransparencyLog log = open();
    log.close();
    assertThat(log.append(entry(1))).isCompletedExceptionally();
  }

  @Test
  void proofs_outsideDurableSize_rejected() throws Exception {
    try (TransparencyLog log = open()) {
      log.append(entry(0)).join();
      assertThatThrownBy(() -> log.inclusionProof(0, 2)).hasMessageContaining("durable size");
      assertThatThrownBy(() -> log.entry(1)).hasMessageContaining("durable size");
    }
  }
}
