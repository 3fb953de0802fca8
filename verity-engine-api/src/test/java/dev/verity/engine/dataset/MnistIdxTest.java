package dev.verity.engine.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.engine.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistIdxTest {
  @TempDir Path dir;

  private static Path shared() {
    String p = System.getProperty("verity.shared");
    return p != null ? Path.of(p) : Path.of("..", "..", "shared");
  }

  private static byte[] idx(int magic, int[] dims, byte[] body) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bos);
    out.writeInt(magic);
    for (int d : dims) {
      out.writeInt(d);
    }
    out.write(body);
    return bos.toByteArray();
  }

  private Path gz(String name, byte[] content) throws IOException {
    Path p = dir.resolve(name);
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
      out.write(content);
    }
    return p;
  }

  @Test
  void readImages_gzipAndPlain_giveSamePixelsInRowMajorOrder() throws IOException {
    byte[] body = {0, 1, 2, 3, 4, 5, (byte) 250, 7, 8, 9, 10, (byte) 255};
    byte[] file = idx(MnistIdx.IMAGES_MAGIC, new int[] {2, 2, 3}, body);
    Path plain = Files.write(dir.resolve("plain.idx"), file);
    for (Path p : new Path[] {plain, gz("images.gz", file)}) {
      MnistIdx.Images images = MnistIdx.readImages(p);
      assertThat(images.count()).isEqualTo(2);
      assertThat(images.rows()).isEqualTo(2);
      assertThat(images.cols()).isEqualTo(3);
      assertThat(images.pixel(0, 1, 0)).isEqualTo(3);
      assertThat(images.pixel(1, 0, 0)).isEqualTo(250);
      assertThat(images.floats(1)).containsExactly(250f, 7f, 8f, 9f, 10f, 255f);
      Tensor t = images.tensor(0);
      assertThat(t.shape()).containsExactly(1, 1, 2, 3);
      assertThat(t.toFloats()).containsExactly(0f, 1f, 2f, 3f, 4f, 5f);
    }
  }

  @Test
  void readImages_wrongMagic_namesMagic() throws IOException {
    Path p = gz("labels-as-images.gz", idx(MnistIdx.LABELS_MAGIC, new int[] {1}, new byte[1]));
    assertThatThrownBy(() -> MnistIdx.readImages(p))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("bad magic 0x00000801")
        .hasMessageContaining("labels-as-images.gz");
  }

  @Test
  void readLabels_imagesFile_namesMagic() throws IOException {
    Path p = gz("i.gz", idx(MnistIdx.IMAGES_MAGIC, new int[] {1, 1, 1}, new byte[1]));
    assertThatThrownBy(() -> MnistIdx.readLabels(p)).hasMessageContaining("bad magic 0x00000803");
  }

  @Test
  void readImages_truncatedBody_saysTruncated() throws IOException {
    Path p = gz("short.gz", idx(MnistIdx.IMAGES_MAGIC, new int[] {3, 2, 2}, new byte[11]));
    assertThatThrownBy(() -> MnistIdx.readImages(p))
        .hasMessageContaining("truncated")
        .hasMessageContaining("12 bytes")
        .hasMessageContaining("got 11");
  }

  @Test
  void readImages_truncatedHeader_saysWhichField() throws IOException {
    byte[] full = idx(MnistIdx.IMAGES_MAGIC, new int[] {3, 2, 2}, new byte[12]);
    Path p = gz("header.gz", Arrays.copyOf(full, 10));
    assertThatThrownBy(() -> MnistIdx.readImages(p))
        .hasMessageContaining("truncated header")
        .hasMessageContaining("row count");
  }

  @Test
  void readImages_cutGzipStream_saysTruncated() throws IOException {
    Path whole = gz("whole.gz", idx(MnistIdx.IMAGES_MAGIC, new int[] {50, 28, 28}, rnd(39200)));
    byte[] bytes = Files.readAllBytes(whole);
    Path cut = Files.write(dir.resolve("cut.gz"), Arrays.copyOf(bytes, bytes.length / 2));
    assertThatThrownBy(() -> MnistIdx.readImages(cut))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("cut.gz")
        .hasMessageContaining("truncated");
  }

  @Test
  void readImages_trailingBytes_refused() throws IOException {
    Path p = gz("long.gz", idx(MnistIdx.IMAGES_MAGIC, new int[] {1, 2, 2}, new byte[5]));
    assertThatThrownBy(() -> MnistIdx.readImages(p)).hasMessageContaining("trailing bytes");
  }

  @Test
  void readImages_absurdDims_refusedBeforeAllocating() throws IOException {
    Path zero = gz("zero.gz", idx(MnistIdx.IMAGES_MAGIC, new int[] {0, 28, 28}, new byte[0]));
    assertThatThrownBy(() -> MnistIdx.readImages(zero))
        .hasMessageContaining("image count 0 outside");
    Path side = gz("side.gz", idx(MnistIdx.IMAGES_MAGIC, new int[] {1, 100000, 28}, new byte[0]));
    assertThatThrownBy(() -> MnistIdx.readImages(side)).hasMessageContaining("row count 100000");
    Path huge =
        gz(
            "huge.gz",
            idx(MnistIdx.IMAGES_MAGIC, new int[] {Integer.MAX_VALUE, 28, 28}, new byte[0]));
    assertThatThrownBy(() -> MnistIdx.readImages(huge))
        .hasMessageContaining("more than the")
        .hasMessageContaining("bytes this reader accepts");
  }

  @Test
  void readImages_missingFile_namesPath() {
    assertThatThrownBy(() -> MnistIdx.readImages(dir.resolve("nope.gz")))
        .hasMessageContaining("nope.gz")
        .hasMessageContaining("no such file");
  }

  @Test
  void readLabels_realMnistTestSet_hasKnownClassCounts() throws IOException {
    MnistIdx.Labels labels =
        MnistIdx.readLabels(shared().resolve("datasets/mnist/t10k-labels-idx1-ubyte.gz"));
    MnistIdx.Images images =
        MnistIdx.readImages(shared().resolve("datasets/mnist/t10k-images-idx3-ubyte.gz"));
    assertThat(labels.count()).isEqualTo(10_000);
    assertThat(images.count()).isEqualTo(10_000);
    assertThat(images.rows()).isEqualTo(28);
    assertThat(images.cols()).isEqualTo(28);
    int[] perClass = new int[10];
    for (int i = 0; i < labels.count(); i++) {
      perClass[labels.label(i)]++;
    }
    // The published class distribution of the MNIST test set.
    assertThat(perClass).containsExactly(980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009);
    assertThat(labels.label(0)).isEqualTo(7);
    // MNIST digits sit in the centre; the border pixels of the first image are blank.
    assertThat(images.pixel(0, 0, 0)).isZero();
    int ink = 0;
    for (float f : images.floats(0)) {
      ink += f > 0 ? 1 : 0;
    }
    assertThat(ink).isBetween(50, 400);
  }

  private static byte[] rnd(int n) {
    byte[] b = new byte[n];
    new java.util.Random(1).nextBytes(b);
    return b;
  }
}
