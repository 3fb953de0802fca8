package dev.verity.engine.dataset;

import dev.verity.engine.Tensor;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads MNIST-style IDX files (optionally gzip-compressed): unsigned-byte images (magic {@code
 * 0x00000803}, dims count × rows × cols) and unsigned-byte labels (magic {@code 0x00000801}, dim
 * count). All header integers are big-endian. Malformed files get an {@link IOException} naming the
 * file and what is wrong; sizes are checked before anything is allocated.
 */
public final class MnistIdx {
  /** IDX magic: two zero bytes, type 0x08 (unsigned byte), then the number of dimensions. */
  public static final int IMAGES_MAGIC = 0x00000803;

  public static final int LABELS_MAGIC = 0x00000801;

  /** Upper bounds that keep a hostile header from asking for absurd allocations. */
  public static final int MAX_SIDE = 4096;

  public static final long MAX_BYTES = Integer.MAX_VALUE - 8;

  private MnistIdx() {}

  /** Images as unsigned bytes, row-major, image after image. */
  public static final class Images {
    private final int count;
    private final int rows;
    private final int cols;
    private final byte[] pixels;

    private Images(int count, int rows, int cols, byte[] pixels) {
      this.count = count;
      this.rows = rows;
      this.cols = cols;
      this.pixels = pixels;
    }

    public int count() {
      return count;
    }

    public int rows() {
      return rows;
    }

    public int cols() {
      return cols;
    }

    /** Pixel value 0–255 of image {@code index} at ({@code row}, {@code col}). */
    public int pixel(int index, int row, int col) {
      checkIndex(index);
      if (row < 0 || row >= rows || col < 0 || col >= cols) {
        throw new IndexOutOfBoundsException(
            "pixel (" + row + ", " + col + ") outside " + rows + "x" + cols);
      }
      return pixels[(index * rows + row) * cols + col] & 0xff;
    }

    /** The raw 0–255 pixel values of one image as floats, without any normalisation. */
    public float[] floats(int index) {
      checkIndex(index);
      int n = rows * cols;
      float[] out = new float[n];
      int base = index * n;
      for (int i = 0; i < n; i++) {
        out[i] = pixels[base + i] & 0xff;
      }
      return out;
    }

    /** One image as a float32 tensor of shape [1, 1, rows, cols] with raw 0–255 values. */
    public Tensor tensor(int index) {
      return Tensor.ofFloats(new long[] {1, 1, rows, cols}, floats(index));
    }

    private void checkIndex(int index) {
      if (index < 0 || index >= count) {
        throw new IndexOutOfBoundsException("image " + index + " outside 0.." + (count - 1));
      }
    }
  }

  /** Labels as values 0–255 (0–9 for MNIST). */
  public static final class Labels {
    private final byte[] labels;

    private Labels(byte[] labels) {
      this.labels = labels;
    }

    public int count() {
      return labels.length;
    }

    public int label(int index) {
      if (index < 0 || index >= labels.length) {
        throw new IndexOutOfBoundsException(
            "label " + index + " outside 0.." + (labels.length - 1));
      }
      return labels[index] & 0xff;
    }
  }

  public static Images readImages(Path file) throws IOException {
    try (DataInputStream in = open(file)) {
      int magic = readHeaderInt(in, file, "magic number");
      if (magic != IMAGES_MAGIC) {
        throw new IOException(
            file
                + ": bad magic 0x"
                + String.format("%08x", magic)
                + ", expected 0x00000803 (IDX unsigned-byte images, 3 dimensions)");
      }
      int count = readDim(in, file, "image count", Integer.MAX_VALUE);
      int rows = readDim(in, file, "row count", MAX_SIDE);
      int cols = readDim(in, file, "column count", MAX_SIDE);
      long total = (long) count * rows * cols;
      if (total > MAX_BYTES) {
        throw new IOException(
            file
                + ": "
                + count
                + " images of "
                + rows
                + "x"
                + cols
                + " need "
                + total
                + " bytes, more than the "
                + MAX_BYTES
                + " bytes this reader accepts");
      }
      byte[] pixels = readBody(in, file, (int) total, count + " images of " + rows + "x" + cols);
      return new Images(count, rows, cols, pixels);
    }
  }

  public static Labels readLabels(Path file) throws IOException {
    try (DataInputStream in = open(file)) {
      int magic = readHeaderInt(in, file, "magic number");
      if (magic != LABELS_MAGIC) {
        throw new IOException(
            file
                + ": bad magic 0x"
                + String.format("%08x", magic)
                + ", expected 0x00000801 (IDX unsigned-byte labels, 1 dimension)");
      }
      int count = readDim(in, file, "label count", (int) MAX_BYTES);
      return new Labels(readBody(in, file, count, count + " labels"));
    }
  }

  /** Opens a file, decompressing it when it starts with the gzip magic bytes. */
  private static DataInputStream open(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException(file + ": no such file");
    }
    BufferedInputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    try {
      raw.mark(2);
      int b0 = raw.read();
      int b1 = raw.read();
      raw.reset();
      InputStream in = (b0 == 0x1f && b1 == 0x8b) ? new GZIPInputStream(raw, 1 << 16) : raw;
      return new DataInputStream(in);
    } catch (IOException e) {
      raw.close();
      throw new IOException(file + ": not a readable IDX or gzip file: " + e.getMessage(), e);
    }
  }

  private static int readHeaderInt(DataInputStream in, Path file, String what) throws IOException {
    try {
      return in.readInt();
    } catch (EOFException e) {
      throw new IOException(file + ": truncated header, no " + what, e);
    } catch (ZipException e) {
      throw new IOException(file + ": corrupt gzip data: " + e.getMessage(), e);
    }
  }

  private static int readDim(DataInputStream in, Path file, String what, int max)
      throws IOException {
    int v = readHeaderInt(in, file, what);
    if (v < 1 || v > max) {
      throw new IOException(file + ": " + what + " " + (v & 0xffffffffL) + " outside 1.." + max);
    }
    return v;
  }

  private static byte[] readBody(DataInputStream in, Path file, int size, String what)
      throws IOException {
    byte[] body = new byte[size];
    int got;
    try {
      got = in.readNBytes(body, 0, size);
    } catch (EOFException e) {
      // GZIPInputStream reports a cut-off compressed stream this way.
      throw new IOException(file + ": truncated compressed data in " + what, e);
    } catch (ZipException e) {
      throw new IOException(file + ": corrupt gzip data: " + e.getMessage(), e);
    }
    if (got < size) {
      throw new IOException(
          file + ": truncated: header promises " + what + " (" + size + " bytes), got " + got);
    }
    if (in.read() != -1) {
      throw new IOException(file + ": trailing bytes after " + what);
    }
    return body;
  }
}
