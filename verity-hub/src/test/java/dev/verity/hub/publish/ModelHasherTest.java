package dev.verity.hub.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.core.Digest;
import dev.verity.hub.TestModels;
import dev.verity.hub.manifest.ManifestFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelHasherTest {
  @TempDir Path dir;

  @Test
  void hash_sharedModels_matchPublishedSha256sums() throws IOException {
    Path models = TestModels.shared().resolve("models");
    List<ManifestFile> mnist =
        new ModelHasher().hash(models.resolve("mnist"), ProgressListener.NONE);
    assertThat(mnist)
        .containsExactly(
            new ManifestFile(
                "mnist-7.onnx",
                26454,
                Digest.parse(
                    "sha256:0d715376572e89832685c56a65ef1391f5f0b7dd31d61050c91ff3ecab16c032")));
    List<ManifestFile> llama =
        new ModelHasher().hash(models.resolve("tinyllamas"), ProgressListener.NONE);
    assertThat(llama)
        .extracting(ManifestFile::path, f -> f.digest().toString())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "stories260K.bin",
                "sha256:b0a507e7ad0f626624f17112325e66691f9076d622e1d3274d103d00299f2696"),
            org.assertj.core.groups.Tuple.tuple(
                "tok512.bin",
                "sha256:037cb335abb25d1fa9e8ecae30ed2a3a8ace9302862ebcdc05d51a6bbb10c312"));
  }

  @Test
  void pipelined_largeFile_equalsSequentialAndSha256sum() throws Exception {
    Path big = dir.resolve("big.bin");
    byte[] block = new byte[1 << 20];
    new Random(7).nextBytes(block);
    try (var out = Files.newOutputStream(big)) {
      for (int i = 0; i < 21; i++) {
        block[0] = (byte) i;
        out.write(block, 0, i == 20 ? 12345 : block.length);
      }
    }
    long size = Files.size(big);
    assertThat(size).isGreaterThan(ModelHasher.PIPELINE_THRESHOLD);
    List<Long> seen = new ArrayList<>();
    ModelHasher.Hashed piped = ModelHasher.sha256Pipelined(big, seen::add);
    assertThat(piped.size()).isEqualTo(size);
    assertThat(seen.stream().mapToLong(Long::longValue).sum()).isEqualTo(size);
    assertThat(piped.digest()).isEqualTo(ModelHasher.sha256(big));
    assertThat(piped.digest().hex()).isEqualTo(sha256sum(big));
  }

  @Test
  void hash_directory_sortedRelativePaths_progressMonotonicToTotal() throws IOException {
    Files.createDirectories(dir.resolve("b/c"));
    Files.writeString(dir.resolve("b/c/z.txt"), "z");
    Files.writeString(dir.resolve("a.txt"), "aa");
    Files.write(dir.resolve("b/big.bin"), new byte[20 << 20]);
    List<long[]> calls = new ArrayList<>();
    List<ManifestFile> files = new ModelHasher(2).hash(dir, (d, t) -> calls.add(new long[] {d, t}));
    assertThat(files)
        .extracting(ManifestFile::path)
        .containsExactly("a.txt", "b/big.bin", "b/c/z.txt");
    assertThat(files.get(0).digest()).isEqualTo(Digest.of("aa".getBytes()));
    assertThat(files.get(1).digest()).isEqualTo(Digest.of(new byte[20 << 20]));
    long total = 3 + (20 << 20);
    for (int i = 1; i < calls.size(); i++) {
      assertThat(calls.get(i)[0]).isGreaterThanOrEqualTo(calls.get(i - 1)[0]);
    }
    assertThat(calls.getLast()).containsExactly(total, total);
  }

  @Test
  void listFiles_symlinkInsideModel_followed_outside_refused() throws IOException {
    Path model = Files.createDirectories(dir.resolve("model"));
    Files.writeString(model.resolve("real.bin"), "x");
    Files.createSymbolicLink(model.resolve("alias.bin"), model.resolve("real.bin"));
    assertThat(ModelHasher.listFiles(model))
        .extracting(LocalFile::path)
        .containsExactly("alias.bin", "real.bin");

    Path secret = Files.writeString(dir.resolve("secret.txt"), "do not publish");
    Files.createSymbolicLink(model.resolve("leak.bin"), secret);
    assertThatThrownBy(() -> ModelHasher.listFiles(model))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("leads outside the model directory");
  }

  @Test
  void listFiles_nameNotAValidManifestPath_refusedNamingFile() throws IOException {
    Files.writeString(dir.resolve("bad\\name"), "x");
    assertThatThrownBy(() -> ModelHasher.listFiles(dir))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("backslash");
  }

  @Test
  void listFiles_emptyDirectory_refused() {
    assertThatThrownBy(() -> ModelHasher.listFiles(dir))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("contains no files");
  }

  static String sha256sum(Path file) throws Exception {
    Process p = new ProcessBuilder("sha256sum", file.toString()).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).isZero();
    return out.substring(0, 64);
  }
}
