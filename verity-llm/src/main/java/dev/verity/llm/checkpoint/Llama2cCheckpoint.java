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

  private static LlamaWeights read(MemorySegment m, LlamaConfig c) {
    Cursor r = new Cursor(m, HEADER_BYTES);
    int dim = c.dim();
    int kv = c.kvDim();
    int hid = c.hiddenDim();
    int n = c.nLayers();
    float[] emb = r.floats((long) c.vocabSize() * dim);
    float[] rmsAtt = r.floats((long) n * dim);
    float[] wq = r.floats((long) n * dim * dim);
    float[] wk = r.floats((long) n * kv * dim);
    float[] wv = r.floats((long) n * kv * dim);
    float[] wo = r.floats((long) n * dim * dim);
    float[] rmsFfn = r.floats((long) n * dim);
    float[] w1 = r.floats((long) n * hid * dim);
    float[] w2 = r.floats((long) n * dim * hid);
    float[] w3 = r.floats((long) n * hid * dim);
    float[] rmsFinal = r.floats(dim);
    r.skip((long) c.seqLen() * c.headSize());
    PackedMatrix cls =
        c.sharedClassifier()
            ? PackedMatrix.ofRowMajor(emb, 0, c.vocabSize(), dim)
            : PackedMatrix.ofRowMajor(r.floats((long) c.vocabSize() * dim), 0, c.vocabSize(), dim);
    List<LlamaWeights.Layer> layers = new ArrayList<>();
    for (int l = 0; l < n; l++) {
      layers.add(
          new LlamaWeights.Layer(
              java.util.Arrays.copyOfRange(rmsAtt, l * dim, (l + 1) * dim),
              PackedMatrix.ofRowMajor(wq, l * dim * dim, dim, dim),
              PackedMatrix.ofRowMajor(wk, l * kv * dim, kv, dim),
              PackedMatrix.ofRowMajor(wv, l * kv * dim, kv, dim),
              PackedMatrix.ofRowMajor(wo, l * dim * dim, dim, dim),
              java.util.Arrays.copyOfRange(rmsFfn, l * dim, (l + 1) * dim),
              PackedMatrix.ofRowMajor(w1, l * hid * dim, hid, dim),
              PackedMatrix.ofRowMajor(w2, l * dim * hid, dim, hid),
              PackedMatrix.ofRowMajor(w3, l * hid * dim, hid, dim)));
    }
    return new LlamaWeights(emb, layers, rmsFinal, cls);
  }

  /** Sequential little-endian float reader over the mapped file. */
  private static final class Cursor {
    private final MemorySegment m;
    private long offset;

    Cursor(MemorySegment m, long offset) {
      this.m = m;
      this.offset = offset;
    }

    float[] floats(long count) {
      float[] out = new float[Math.toIntExact(count)];
      MemorySegment.copy(m, FLOAT, offset, out, 0, out.length);
      offset += 4 * count;
      return out;
    }

    void skip(long count) {
      offset += 4 * count;
    }
  }
}
