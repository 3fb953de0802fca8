package dev.verity.llm.checkpoint;

import dev.verity.engine.ModelLoadException;
import dev.verity.llm.transformer.LlamaConfig;
import dev.verity.llm.transformer.LlamaWeights;
import dev.verity.llm.transformer.PackedMatrix;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads llama2.c checkpoints: a header of seven little-endian int32 (dim, hidden_dim, n_layers,
 * n_heads, n_kv_heads, vocab_size, seq_len; a negative vocab_size means a separate classifier),
 * then little-endian float32 weights in llama2.c order: token embedding, attention norms, wq, wk,
 * wv, wo, ffn norms, w1, w2, w3, final norm, the legacy RoPE tables (seq_len × head_size, skipped)
 * and, when not shared, the classifier.
 */
public final class Llama2cCheckpoint {
  static final int HEADER_BYTES = 28;
  private static final ValueLayout.OfInt INT =
      ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfFloat FLOAT =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  /** A loaded checkpoint. */
  public record Loaded(LlamaConfig config, LlamaWeights weights) {}

  private Llama2cCheckpoint() {}

  /**
   * Loads and packs a checkpoint; refuses files whose size does not match the header exactly or
   * whose parameters exceed {@code maxParameterBytes}.
   */
  public static Loaded load(Path file, long maxParameterBytes) throws ModelLoadException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        Arena arena = Arena.ofConfined()) {
      long size = ch.size();
      if (size < HEADER_BYTES) {
        throw new ModelLoadException(
            "llama2.c checkpoint " + file + " is " + size + " bytes, shorter than its header");
      }
      MemorySegment m = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
      int[] h = new int[7];
      for (int i = 0; i < 7; i++) {
        h[i] = m.get(INT, 4L * i);
      }
      boolean shared = h[5] > 0;
      int vocab = Math.abs(h[5] == Integer.MIN_VALUE ? 0 : h[5]);
      LlamaConfig c;
      try {
        c = new LlamaConfig(h[0], h[1], h[2], h[3], h[4], vocab, h[6], 10000.0f, 1e-5f, shared);
      } catch (IllegalArgumentException e) {
        throw new ModelLoadException(
            "llama2.c checkpoint " + file + " has an invalid header: " + e.getMessage(), e);
      }
      long floats = c.parameterCount() + (long) c.seqLen() * c.headSize();
      long expected = HEADER_BYTES + 4 * floats;
      if (size != expected) {
        throw new ModelLoadException(
            "llama2.c checkpoint "
                + file
                + " is "
                + size
                + " bytes but its header describes "
                + expected);
      }
      if (4 * c.parameterCount() > maxParameterBytes) {
        throw new ModelLoadException(
            "model has "
                + 4 * c.parameterCount()
                + " bytes of parameters, over the limit of "
                + maxParameterBytes);
      }
      return new Loaded(c, read(m, c));
    } catch (IOException e) {
      throw new ModelLoadException("cannot read llama2.c checkpoint " + file + ": " + e, e);
    }
  }

  /** Packs each matrix straight from the mapped file, one layer at a time. */
  private static LlamaWeights read(MemorySegment m, LlamaConfig c) {
    int dim = c.dim();
    int kv = c.kvDim();
    int hid = c.hiddenDim();
    int n = c.nLayers();
    long off = HEADER_BYTES;
    long emb = off;
    off += 4L * c.vocabSize() * dim;
    long rmsAtt = off;
    off += 4L * n * dim;
    long wq = off;
    off += 4L * n * dim * dim;
    long wk = off;
    off += 4L * n * kv * dim;
    long wv = off;
    off += 4L * n * kv * dim;
    long wo = off;
    off += 4L * n * dim * dim;
    long rmsFfn = off;
    off += 4L * n * dim;
    long w1 = off;
    off += 4L * n * hid * dim;
    long w2 = off;
    off += 4L * n * dim * hid;
    long w3 = off;
    off += 4L * n * hid * dim;
    long rmsFinal = off;
    off += 4L * dim;
    off += 4L * c.seqLen() * c.headSize(); // legacy RoPE tables, unused
    long cls = off;
    PackedMatrix embedding = matrix(m, emb, c.vocabSize(), dim);
    List<LlamaWeights.Layer> layers = new ArrayList<>();
    for (int l = 0; l < n; l++) {
      layers.add(
          new LlamaWeights.Layer(
              floats(m, rmsAtt + 4L * l * dim, dim),
              matrix(m, wq + 4L * l * dim * dim, dim, dim),
              matrix(m, wk + 4L * l * kv * dim, kv, dim),
              matrix(m, wv + 4L * l * kv * dim, kv, dim),
              matrix(m, wo + 4L * l * dim * dim, dim, dim),
              floats(m, rmsFfn + 4L * l * dim, dim),
              matrix(m, w1 + 4L * l * hid * dim, hid, dim),
              matrix(m, w2 + 4L * l * dim * hid, dim, hid),
              matrix(m, w3 + 4L * l * hid * dim, hid, dim)));
    }
    PackedMatrix classifier = c.sharedClassifier() ? embedding : matrix(m, cls, c.vocabSize(), dim);
    return new LlamaWeights(embedding, layers, floats(m, rmsFinal, dim), classifier);
  }

  private static float[] floats(MemorySegment m, long offset, long count) {
    float[] out = new float[Math.toIntExact(count)];
    MemorySegment.copy(m, FLOAT, offset, out, 0, out.length);
    return out;
  }

  private static PackedMatrix matrix(MemorySegment m, long offset, int rows, int cols) {
    return PackedMatrix.ofRows(
        rows, cols, (r, row) -> MemorySegment.copy(m, FLOAT, offset + 4L * r * cols, row, 0, cols));
  }
}
