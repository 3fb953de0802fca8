package dev.verity.llm.gguf;

import dev.verity.llm.tokenizer.Tokenizer;
import dev.verity.llm.transformer.LlamaConfig;
import dev.verity.llm.transformer.LlamaWeights;
import dev.verity.llm.transformer.PackedMatrix;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes GGUF v3 files for tests: metadata, tensor infos, aligned tensor data. */
final class GgufWriter {
  private final Map<String, Object[]> kv = new LinkedHashMap<>();
  private final List<Object[]> tensors = new ArrayList<>();
  private int alignment = 32;

  GgufWriter string(String key, String value) {
    kv.put(key, new Object[] {8, value});
    return this;
  }

  GgufWriter u32(String key, long value) {
    kv.put(key, new Object[] {4, value});
    return this;
  }

  GgufWriter f32(String key, float value) {
    kv.put(key, new Object[] {6, value});
    return this;
  }

  GgufWriter stringArray(String key, List<String> values) {
    kv.put(key, new Object[] {9, 8, values});
    return this;
  }

  GgufWriter floatArray(String key, float[] values) {
    kv.put(key, new Object[] {9, 6, values});
    return this;
  }

  GgufWriter alignment(int a) {
    this.alignment = a;
    return u32("general.alignment", a);
  }

  /** A tensor of ggml dims {@code dims} (ne[0] first) from row-major float values. */
  GgufWriter tensor(String name, GgmlType type, long[] dims, float[] values) {
    tensors.add(new Object[] {name, type, dims, values});
    return this;
  }

  byte[] toBytes() {
    Out o = new Out();
    o.i32(GgufFile.MAGIC).i32(3).i64(tensors.size()).i64(kv.size());
    for (Map.Entry<String, Object[]> e : kv.entrySet()) {
      o.str(e.getKey());
      Object[] v = e.getValue();
      int type = (int) v[0];
      o.i32(type);
      switch (type) {
        case 8 -> o.str((String) v[1]);
        case 4 -> o.i32((int) (long) (Long) v[1]);
        case 6 -> o.f32((Float) v[1]);
        case 9 -> {
          int et = (int) v[1];
          o.i32(et);
          if (et == 8) {
            @SuppressWarnings("unchecked")
            List<String> l = (List<String>) v[2];
            o.i64(l.size());
            l.forEach(o::str);
          } else {
            float[] f = (float[]) v[2];
            o.i64(f.length);
            for (float x : f) {
              o.f32(x);
            }
          }
        }
        default -> throw new IllegalStateException();
      }
    }
    List<byte[]> blobs = new ArrayList<>();
    long offset = 0;
    for (Object[] t : tensors) {
      byte[] blob = encode((GgmlType) t[1], (float[]) t[3]);
      blobs.add(blob);
      long[] dims = (long[]) t[2];
      o.str((String) t[0]).i32(dims.length);
      for (long d : dims) {
        o.i64(d);
      }
      o.i32(((GgmlType) t[1]).id()).i64(offset);
      offset += (blob.length + alignment - 1) / alignment * alignment;
    }
    o.pad(alignment);
    for (byte[] b : blobs) {
      o.bytes(b);
      o.pad(alignment);
    }
    return o.buf.toByteArray();
  }

  static byte[] encode(GgmlType type, float[] v) {
    ByteBuffer b =
        ByteBuffer.allocate((int) type.bytesFor(v.length)).order(ByteOrder.LITTLE_ENDIAN);
    switch (type) {
      case F32 -> {
        for (float x : v) {
          b.putFloat(x);
        }
      }
      case F16 -> {
        for (float x : v) {
          b.putShort(Float.floatToFloat16(x));
        }
      }
      case Q8_0 -> {
        // As ggml's quantize_row_q8_0_ref: d = amax / 127, q = round(x / d).
        for (int blk = 0; blk < v.length / 32; blk++) {
          float amax = 0f;
          for (int j = 0; j < 32; j++) {
            amax = Math.max(amax, Math.abs(v[blk * 32 + j]));
          }
          float d = amax / 127f;
          float id = d != 0f ? 1f / d : 0f;
          b.putShort(Float.floatToFloat16(d));
          for (int j = 0; j < 32; j++) {
            b.put((byte) Math.round(v[blk * 32 + j] * id));
          }
        }
      }
    }
    return b.array();
  }

  /**
   * Converts a loaded llama2.c model to GGUF. Matrices use {@code matrixType} where their rows fit
   * its block size and F32 otherwise (as llama.cpp falls back); norms are F32.
   */
  static byte[] fromModel(
      LlamaConfig c, LlamaWeights w, Tokenizer tok, GgmlType matrixType, boolean sharedOutput) {
    GgufWriter g = new GgufWriter();
    g.string("general.architecture", "llama")
        .string("general.name", "stories260K")
        .u32("llama.context_length", c.seqLen())
        .u32("llama.embedding_length", c.dim())
        .u32("llama.feed_forward_length", c.hiddenDim())
        .u32("llama.block_count", c.nLayers())
        .u32("llama.attention.head_count", c.nHeads())
        .u32("llama.attention.head_count_kv", c.nKvHeads())
        .u32("llama.rope.dimension_count", c.headSize())
        .f32("llama.rope.freq_base", c.ropeTheta())
        .f32("llama.attention.layer_norm_rms_epsilon", c.rmsEps())
        .string("tokenizer.ggml.model", "llama");
    List<String> tokens = new ArrayList<>();
    float[] scores = new float[tok.vocabSize()];
    for (int i = 0; i < tok.vocabSize(); i++) {
      tokens.add(new String(tok.piece(i), StandardCharsets.UTF_8).replace(" ", "\u2581"));
      scores[i] = tok.score(i);
    }
    g.stringArray("tokenizer.ggml.tokens", tokens)
        .floatArray("tokenizer.ggml.scores", scores)
        .u32("tokenizer.ggml.bos_token_id", tok.bos())
        .u32("tokenizer.ggml.eos_token_id", tok.eos());
    matrix(g, "token_embd.weight", matrixType, w.tokenEmbedding());
    for (int l = 0; l < c.nLayers(); l++) {
      LlamaWeights.Layer y = w.layers().get(l);
      String p = "blk." + l + ".";
      g.tensor(p + "attn_norm.weight", GgmlType.F32, new long[] {c.dim()}, y.rmsAtt());
      matrix(g, p + "attn_q.weight", matrixType, y.wq());
      matrix(g, p + "attn_k.weight", matrixType, y.wk());
      matrix(g, p + "attn_v.weight", matrixType, y.wv());
      matrix(g, p + "attn_output.weight", matrixType, y.wo());
      g.tensor(p + "ffn_norm.weight", GgmlType.F32, new long[] {c.dim()}, y.rmsFfn());
      matrix(g, p + "ffn_gate.weight", matrixType, y.w1());
      matrix(g, p + "ffn_down.weight", matrixType, y.w2());
      matrix(g, p + "ffn_up.weight", matrixType, y.w3());
    }
    g.tensor("output_norm.weight", GgmlType.F32, new long[] {c.dim()}, w.rmsFinal());
    if (!sharedOutput) {
      matrix(g, "output.weight", matrixType, w.classifier());
    }
    return g.toBytes();
  }

  private static GgmlType pick(GgmlType t, long rowLength) {
    return rowLength % t.blockElements() == 0 ? t : GgmlType.F32;
  }

  private static void matrix(GgufWriter g, String name, GgmlType type, PackedMatrix m) {
    float[] rowMajor = new float[m.rows() * m.cols()];
    for (int r = 0; r < m.rows(); r++) {
      m.copyRow(r, rowMajor, r * m.cols());
    }
    g.tensor(name, pick(type, m.cols()), new long[] {m.cols(), m.rows()}, rowMajor);
  }

  private static final class Out {
    final ByteArrayOutputStream buf = new ByteArrayOutputStream();

    Out i32(int v) {
      return bytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
    }

    Out i64(long v) {
      return bytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
    }

    Out f32(float v) {
      return bytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(v).array());
    }

    Out str(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      i64(b.length);
      return bytes(b);
    }

    Out bytes(byte[] b) {
      buf.writeBytes(b);
      return this;
    }

    Out pad(int alignment) {
      while (buf.size() % alignment != 0) {
        buf.write(0);
      }
      return this;
    }
  }
}
