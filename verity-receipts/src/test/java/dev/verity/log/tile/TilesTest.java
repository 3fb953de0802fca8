package dev.verity.log.tile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.core.Bytes;
import dev.verity.log.InvalidProofException;
import dev.verity.log.Rfc9162;
import dev.verity.log.TestKeys;
import dev.verity.log.TransparencyLog;
import dev.verity.log.note.Checkpoint;
import dev.verity.log.note.SignedCheckpoint;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TilesTest {
  @TempDir static Path dir;
  static TransparencyLog log;
  static TileReader reader;
  static final int SIZE = 70_000;

  @BeforeAll
  static void fill() throws Exception {
    log = TransparencyLog.open(dir, TransparencyLog.Options.defaults(TestKeys.logSigner()));
    List<CompletableFuture<?>> fs = new ArrayList<>();
    for (int i = 0; i < SIZE; i++) {
      fs.add(log.append(("entry " + i).getBytes(StandardCharsets.UTF_8)));
    }
    CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).join();
    reader = new TileReader(log);
  }

  @AfterAll
  static void close() throws Exception {
    log.close();
  }

  @Test
  void tilePath_specExamples_formatAndParse() {
    assertThat(new TilePath(0, 1234067, 256).path()).isEqualTo("tile/0/x001/x234/067");
    assertThat(TilePath.parse("tile/0/x001/x234/067")).isEqualTo(new TilePath(0, 1234067, 256));
    assertThat(new TilePath(TilePath.ENTRIES, 0, 5).path()).isEqualTo("tile/entries/000.p/5");
    assertThat(new TilePath(2, 1000, 256).path()).isEqualTo("tile/2/x001/000");
  }

  @Test
  void tilePath_nonCanonicalOrMalformed_rejected() {
    for (String bad :
        List.of(
            "tile/0/1",
            "tile/00/000",
            "tile/64/000",
            "tile/0/x000/001",
            "tile/0/000.p/0",
            "tile/0/000.p/256",
            "tile/0/000.p/010",
            "tile/0/x01/000",
            "tile/entries/001/",
            "tile/0/../000",
            "/tile/0/000",
            "tile/0/000.p/",
            "tile/-1/000")) {
      assertThatThrownBy(() -> TilePath.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Property(tries = 2000)
  void tilePath_roundTrips(
      @ForAll @IntRange(min = -1, max = 63) int level,
      @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long index,
      @ForAll @IntRange(min = 1, max = 256) int width) {
    TilePath t = new TilePath(level, index, width);
    assertThat(TilePath.parse(t.path())).isEqualTo(t);
  }

  @Property(tries = 2000)
  void tilePath_arbitraryText_onlyIllegalArgument(@ForAll String s) {
    try {
      assertThat(TilePath.parse(s).path()).isEqualTo(s);
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage()).isNotBlank();
    }
  }

  @Test
  void reader_treeOf70000_servesExactlyTheSpecTiles() throws Exception {
    // tlog-tiles: 273 full level-0 tiles, a partial of width 112, one full level-1 tile, a
    // partial level-1 tile of width 17 and a partial level-2 tile of width 1.
    assertThat(reader.tile("tile/0/272")).map(b -> b.length).contains(8192);
    assertThat(reader.tile("tile/0/273")).isEmpty();
    assertThat(reader.tile("tile/0/273.p/112")).map(b -> b.length).contains(112 * 32);
    assertThat(reader.tile("tile/0/273.p/113")).isEmpty();
    assertThat(reader.tile("tile/1/000")).map(b -> b.length).contains(8192);
    assertThat(reader.tile("tile/1/001.p/17")).isPresent();
    assertThat(reader.tile("tile/1/001")).isEmpty();
    assertThat(reader.tile("tile/2/000.p/1")).isPresent();
    assertThat(reader.tile("tile/2/000")).isEmpty();
    assertThat(reader.tile("tile/3/000.p/1")).isEmpty();
    assertThat(reader.tile("tile/entries/273.p/112")).isPresent();
    assertThat(reader.tile("tile/entries/274.p/1")).isEmpty();
    // A level-1 hash is the root of the full level-0 tile below it.
    byte[] t1 = reader.tile("tile/1/000").orElseThrow();
    assertThat(Bytes.copyOf(java.util.Arrays.copyOfRange(t1, 32, 64)))
        .isEqualTo(Bytes.copyOf(log.completeSubtree(8, 1)));
  }

  @Test
  void client_rebuildsRootAndProofsFromTiles() throws Exception {
    SignedCheckpoint cp =
        SignedCheckpoint.verify(
            new String(reader.tile("checkpoint").orElseThrow(), StandardCharsets.UTF_8),
            TestKeys.logSigner().verifierKey());
    TileClient client = new TileClient(cp.checkpoint(), reader::tile);
    client.verifyRoot();
    for (long i : new long[] {0, 1, 255, 256, 65535, 65536, 69999}) {
      assertThat(client.inclusionProof(i)).isEqualTo(log.inclusionProof(i, SIZE));
      client.inclusionProof(i).verify(log.leafHash(i), cp.checkpoint().rootHash());
    }
    List<byte[]> bundle = client.entries(273);
    assertThat(bundle).hasSize(112);
    assertThat(new String(bundle.get(111), StandardCharsets.UTF_8)).isEqualTo("entry 69999");
  }

  @Test
  void client_smallerCheckpoint_usesPartialTiles() throws Exception {
    for (long size : new long[] {1, 255, 256, 257, 65536, 65537}) {
      Checkpoint c = new Checkpoint(TestKeys.logSigner().name(), size, log.rootHash(size));
      TileClient client = new TileClient(c, reader::tile);
      client.verifyRoot();
    }
  }

  @Test
  void client_tamperedTile_detected() {
    Checkpoint c = log.checkpoint().checkpoint();
    TileFetcher evil =
        path -> {
          Optional<byte[]> t = reader.tile(path);
          if (path.equals("tile/0/100")) {
            t.get()[5] ^= 1;
          }
          return t;
        };
    // The root does not use level-0 tile 100 (it is under the full level-1 tile), but any proof
    // through it checks it against level 1.
    assertThatThrownBy(() -> new TileClient(c, evil).inclusionProof(100 * 256 + 7))
        .isInstanceOf(InvalidProofException.class)
        .hasMessageContaining("does not match its hash in tile level 1");
    TileFetcher evilTop =
        path -> {
          Optional<byte[]> t = reader.tile(path);
          if (path.equals("tile/0/273.p/112")) {
            t.get()[5] ^= 1;
          }
          return t;
        };
    assertThatThrownBy(() -> new TileClient(c, evilTop).verifyRoot())
        .isInstanceOf(InvalidProofException.class)
        .hasMessageContaining("but the checkpoint says");
    TileFetcher badBundle =
        path -> {
          Optional<byte[]> t = reader.tile(path);
          if (path.startsWith("tile/entries/")) {
            t.get()[10] ^= 1;
          }
          return t;
        };
    assertThatThrownBy(() -> new TileClient(c, badBundle).entries(3))
        .isInstanceOf(InvalidProofException.class);
    assertThat(Rfc9162.EMPTY_ROOT.length()).isEqualTo(32);
  }
}
