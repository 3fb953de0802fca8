package dev.verity.node.inference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verity.core.Digest;
import dev.verity.engine.Tensor;
import dev.verity.engine.TensorEncoding;
import dev.verity.engine.TensorJson;
import dev.verity.node.http.Json;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputArchiveTest {
  @TempDir Path dir;

  static Map<String, Tensor> input(int seed) {
    float[] v = new float[100 + seed % 7];
    for (int i = 0; i < v.length; i++) {
      v[i] = seed * 1000 + i;
    }
    return Map.of(
        "x",
        Tensor.ofFloats(new long[] {1, v.length}, v),
        "k",
        Tensor.ofLongs(new long[] {1}, new long[] {seed}));
  }

  static Digest save(InputArchive a, Map<String, Tensor> t) throws Exception {
    Digest d = TensorEncoding.digest(t);
    a.save(d, t);
    return d;
  }

  static List<Path> segments(Path archive) throws Exception {
    try (Stream<Path> s = Files.list(archive)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".vtmp")).sorted().toList();
    }
  }

  @Test
  void savedMaps_loadAgain_alsoAfterReopen_acrossSegments() throws Exception {
    Path archive = dir.resolve("inputs");
    List<Digest> digests = new ArrayList<>();
    try (InputArchive a = new InputArchive(archive, 2048)) {
      for (int i = 0; i < 20; i++) {
        digests.add(save(a, input(i)));
      }
      for (int i = 0; i < 20; i++) {
        assertThat(a.load(digests.get(i))).contains(input(i));
      }
      assertThat(a.load(TensorEncoding.digest(input(99)))).isEmpty();
    }
    // Each record is about 500 bytes: several segments.
    assertThat(segments(archive)).hasSizeGreaterThan(3);
    try (InputArchive a = new InputArchive(archive, 2048)) {
      for (int i = 0; i < 20; i++) {
        assertThat(a.load(digests.get(i))).contains(input(i));
      }
      digests.add(save(a, input(20)));
      assertThat(a.load(digests.get(20))).contains(input(20));
    }
  }

  @Test
  void savingTheSameMapTwice_writesOneRecord() throws Exception {
    Path archive = dir.resolve("inputs");
    try (InputArchive a = new InputArchive(archive)) {
      save(a, input(1));
      a.flush();
      long size = Files.size(segments(archive).getFirst());
      assertThat(size).isPositive();
      save(a, input(1));
      a.flush();
      assertThat(Files.size(segments(archive).getFirst())).isEqualTo(size);
    }
  }

  @Test
  void tornTail_isCutOff_andEarlierRecordsStillLoad() throws Exception {
    Path archive = dir.resolve("inputs");
    Digest kept;
    Digest torn;
    long keptEnd;
    try (InputArchive a = new InputArchive(archive)) {
      kept = save(a, input(1));
      a.flush();
      keptEnd = Files.size(segments(archive).getFirst());
      torn = save(a, input(2));
    }
    Path seg = segments(archive).getFirst();
    // A crash in the middle of the second record's write.
    try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
      ch.truncate(keptEnd + 100);
    }
    try (InputArchive a = new InputArchive(archive)) {
      assertThat(a.load(kept)).contains(input(1));
      assertThat(a.load(torn)).isEmpty();
      assertThat(Files.size(seg)).isEqualTo(keptEnd);
      // The map can be archived again, after the intact record.
      save(a, input(2));
      assertThat(a.load(torn)).contains(input(2));
    }
  }

  @Test
  void damagedRecord_isNotServed() throws Exception {
    Path archive = dir.resolve("inputs");
    try (InputArchive a = new InputArchive(archive)) {
      Digest d = save(a, input(3));
      // Buffered records are served from memory until written.
      assertThat(a.load(d)).contains(input(3));
      a.flush();
      Path seg = segments(archive).getFirst();
      byte[] bytes = Files.readAllBytes(seg);
      bytes[bytes.length / 2] ^= 1;
      Files.write(seg, bytes);
      // The record's CRC no longer matches: the damaged tensor never reaches a bundle.
      assertThat(a.load(d)).isEmpty();
    }
  }

  @Test
  void damageInAClosedSegment_costsOnlyThatRecord() throws Exception {
    Path archive = dir.resolve("inputs");
    List<Digest> digests = new ArrayList<>();
    try (InputArchive a = new InputArchive(archive, 2048)) {
      for (int i = 0; i < 12; i++) {
        digests.add(save(a, input(i)));
      }
    }
    List<Path> segs = segments(archive);
    assertThat(segs).hasSizeGreaterThan(2);
    // Flip a byte in the body of the first record of the first (closed) segment.
    byte[] bytes = Files.readAllBytes(segs.getFirst());
    bytes[36 + 20] ^= 1;
    Files.write(segs.getFirst(), bytes);
    long closedSize = Files.size(segs.getFirst());
    try (InputArchive a = new InputArchive(archive, 2048)) {
      // Closed segments are walked header to header on start: nothing is cut off, the damage is
      // found when that record is read.
      assertThat(Files.size(segs.getFirst())).isEqualTo(closedSize);
      assertThat(a.load(digests.getFirst())).isEmpty();
      for (int i = 1; i < 12; i++) {
        assertThat(a.load(digests.get(i))).contains(input(i));
      }
    }
  }

  @Test
  void recordsLargerThanTheBuffer_areWrittenAtOnce() throws Exception {
    Path archive = dir.resolve("inputs");
    float[] big = new float[InputArchive.BUFFER_BYTES / 4 + 10];
    big[7] = 1.5f;
    Map<String, Tensor> t = Map.of("big", Tensor.ofFloats(new long[] {big.length}, big));
    Digest d;
    try (InputArchive a = new InputArchive(archive)) {
      save(a, input(1)); // buffered, written first
      d = save(a, t);
      assertThat(Files.size(segments(archive).getFirst())).isGreaterThan(InputArchive.BUFFER_BYTES);
      assertThat(a.load(d)).contains(t);
    }
    try (InputArchive a = new InputArchive(archive)) {
      assertThat(a.load(d)).contains(t);
      assertThat(a.load(TensorEncoding.digest(input(1)))).contains(input(1));
    }
  }

  @Test
  void concurrentSaves_allLoad() throws Exception {
    Path archive = dir.resolve("inputs");
    try (InputArchive a = new InputArchive(archive, 64 * 1024)) {
      List<CompletableFuture<Digest>> fs = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        int seed = i % 300; // some maps are saved twice, concurrently
        fs.add(
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return save(a, input(seed));
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                }));
      }
      for (int i = 0; i < 400; i++) {
        assertThat(a.load(fs.get(i).join())).contains(input(i % 300));
      }
    }
    try (InputArchive a = new InputArchive(archive, 64 * 1024)) {
      for (int i = 0; i < 300; i++) {
        assertThat(a.load(TensorEncoding.digest(input(i)))).contains(input(i));
      }
    }
  }

  @Test
  void mapsArchivedAsJsonFiles_areStillRead() throws Exception {
    Path archive = Files.createDirectories(dir.resolve("inputs"));
    Map<String, Tensor> t = input(5);
    Digest d = TensorEncoding.digest(t);
    Files.write(
        archive.resolve(d.hex() + ".json"),
        Json.MAPPER.writeValueAsBytes(TensorJson.toJson(t, true)));
    // A JSON file under the wrong name is not served as that digest.
    Digest other = TensorEncoding.digest(input(6));
    Files.copy(archive.resolve(d.hex() + ".json"), archive.resolve(other.hex() + ".json"));
    try (InputArchive a = new InputArchive(archive)) {
      assertThat(a.load(d)).contains(t);
      assertThat(a.load(other)).isEmpty();
    }
  }
}
