package dev.verity.llm.transformer;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A weight matrix W of {@code rows × cols} stored for {@code out = W·x} with vector lanes running
 * ACROSS output rows: rows are grouped in blocks of {@link #LANES}, and within a block the {@code
 * LANES} weights of one column k are adjacent. A vector of lanes then holds LANES independent dot
 * products, each accumulated in column order k = 0..cols-1, so every output gets exactly the bits
 * of the scalar loop {@code v = 0; for k: v += W[i][k] * x[k]}. Rows past {@code rows} in the last
 * block are zero padding.
 */
public final class PackedMatrix {
  static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

  /** Rows per block: the preferred float vector length of this machine. */
  public static final int LANES = SPECIES.length();

  private final int rows;
  private final int cols;
  private final int blocks;
  final float[] data;

  private PackedMatrix(int rows, int cols) {
    if (rows <= 0 || cols <= 0) {
      throw new IllegalArgumentException("matrix shape must be positive: " + rows + "x" + cols);
    }
    this.rows = rows;
    this.cols = cols;
    this.blocks = (rows + LANES - 1) / LANES;
    long size = (long) blocks * LANES * cols;
    if (size > Integer.MAX_VALUE - 64) {
      throw new IllegalArgumentException(
          "matrix " + rows + "x" + cols + " is larger than one array can hold");
    }
    this.data = new float[(int) size];
  }

  /** Packs a row-major matrix read from {@code src} starting at {@code offset}. */
  public static PackedMatrix ofRowMajor(float[] src, int offset, int rows, int cols) {
    PackedMatrix m = new PackedMatrix(rows, cols);
    for (int r = 0; r < rows; r++) {
      int base = (r / LANES) * LANES * cols + (r % LANES);
      int s = offset + r * cols;
      for (int k = 0; k < cols; k++) {
        m.data[base + k * LANES] = src[s + k];
      }
    }
    return m;
  }

  /** Packs rows supplied one at a time (used by loaders that dequantize row by row). */
  public static PackedMatrix ofRows(int rows, int cols, RowSource source) {
    PackedMatrix m = new PackedMatrix(rows, cols);
    float[] row = new float[cols];
    for (int r = 0; r < rows; r++) {
      source.row(r, row);
      int base = (r / LANES) * LANES * cols + (r % LANES);
      for (int k = 0; k < cols; k++) {
        m.data[base + k * LANES] = row[k];
      }
    }
    return m;
  }

  /** Supplies row {@code r} of a matrix into {@code out} (length cols). */
  @FunctionalInterface
  public interface RowSource {
    void row(int r, float[] out);
  }

  public int rows() {
    return rows;
  }

  public int cols() {
    return cols;
  }

  int blocks() {
    return blocks;
  }

  public float get(int row, int col) {
    return data[(row / LANES) * LANES * cols + col * LANES + (row % LANES)];
  }

  /** Copies row {@code r} into {@code out} starting at {@code outOffset}. */
  public void copyRow(int r, float[] out, int outOffset) {
    int base = (r / LANES) * LANES * cols + (r % LANES);
    for (int k = 0; k < cols; k++) {
      out[outOffset + k] = data[base + k * LANES];
    }
  }
}
