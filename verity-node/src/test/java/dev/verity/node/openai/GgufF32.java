package dev.verity.node.openai;

import dev.verity.llm.LlamaModel;
import dev.verity.llm.tokenizer.Tokenizer;
import dev.verity.llm.transformer.LlamaConfig;
import dev.verity.llm.transformer.LlamaWeights;
import dev.verity.llm.transformer.PackedMatrix;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a loaded model as a GGUF v3 file with F32 tensors and the llama tokenizer (llama.cpp's
 * tensor names), so a test can publish the same weights as a {@code gguf} model.
 */
final class GgufF32 {
  private static final int ALIGN = 32;
  private static final int T_U32 = 4;
  private static final int T_F32 = 6;
  private static final int T_STRING = 8;
  private static final int T_ARRAY = 9;

  private final Out head = new Out();
  private int kvCount;
  private final List<Object[]> tensors = new ArrayList<>();

  private GgufF32() {}

  static byte[] of(LlamaModel model) {
    LlamaConfig c = model.config();
    LlamaWeights w = model.transformer().weights();
    Tokenizer tok = model.tokenizer();
    GgufF32 g = new GgufF32();
    g.string("general.architecture", "llama");
    g.u32("llama.context_length", c.seqLen());
    g.u32("llama.embedding_length", c.dim());
    g.u32("llama.feed_forward_length", c.hiddenDim());
    g.u32("llama.block_count", c.nLayers());
    g.u32("llama.attention.head_count", c.nHeads());
    g.u32("llama.attention.head_count_kv", c.nKvHeads());
    g.u32("llama.rope.dimension_count", c.headSize());
    g.f32("llama.rope.freq_base", c.ropeTheta());
    g.f32("llama.attention.layer_norm_rms_epsilon", c.rmsEps());
    g.string("tokenizer.ggml.model", "llama");
    g.key("tokenizer.ggml.tokens").i32(T_ARRAY).i32(T_STRING).i64(tok.vocabSize());
    for (int i = 0; i < tok.vocabSize(); i++) {
      g.head.str(new String(tok.piece(i), StandardCharsets.UTF_8).replace(" ", "\u2581"));
    }
    g.key("tokenizer.ggml.scores").i32(T_ARRAY).i32(T_F32).i64(tok.vocabSize());
    for (int i = 0; i < tok.vocabSize(); i++) {
      g.head.f32(tok.score(i));
    }
    g.u32("tokenizer.ggml.bos_token_id", tok.bos());
    g.u32("tokenizer.ggml.eos_token_id", tok.eos());
    g.matrix("token_embd.weight", w.tokenEmbedding());
    for (int l = 0; l < c.nLayers(); l++) {
      LlamaWeights.Layer y = w.layers().get(l);
      String p = "blk." + l + ".";
      g.vector(p + "attn_norm.weight", y.rmsAtt());
      g.matrix(p + "attn_q.weight", y.wq());
      g.matrix(p + "attn_k.weight", y.wk());
      g.matrix(p + "attn_v.weight", y.wv());
      g.matrix(p + "attn_output.weight", y.wo());
      g.vector(p + "ffn_norm.weight", y.rmsFfn());
      g.matrix(p + "ffn_gate.weight", y.w1());
      g.matrix(p + "ffn_down.weight", y.w2());
      g.matrix(p + "ffn_up.weight", y.w3());
    }
    g.vector("output_norm.weight", w.rmsFinal());
    return g.toBytes();
  }

  private Out key(String k) {
    kvCount++;
    return head.str(k);
  }

  private void string(String k, String v) {
    key(k).i32(T_STRING).str(v);
  }

  private void u32(String k, int v) {
    key(k).i32(T_U32).i32(v);
  }

  private void f32(String k, float v) {
    key(k).i32(T_F32).f32(v);
  }

  private void vector(String name, float[] v) {
    tensors.add(new Object[] {name, new long[] {v.length}, v});
  }

  private void matrix(String name, PackedMatrix m) {
    float[] rowMajor = new float[m.rows() * m.cols()];
    for (int r = 0; r < m.rows(); r++) {
      m.copyRow(r, rowMajor, r * m.cols());
    }
    tensors.add(new Object[] {name, new long[] {m.cols(), m.rows()}, rowMajor});
  }

  private byte[] toBytes() {
    Out o = new Out();
    o.i32(0x46554747).i32(3).i64(tensors.size()).i64(kvCount);
    o.bytes(head.buf.toByteArray());
    long offset = 0;
    for (Object[] t : tensors) {
      long[] dims = (long[]) t[1];
      o.str((String) t[0]).i32(dims.length);
      for (long d : dims) {
        o.i64(d);
      }
      o.i32(0).i64(offset); // type 0 = F32
      long size = 4L * ((float[]) t[2]).length;
      offset += (size + ALIGN - 1) / ALIGN * ALIGN;
    }
    o.pad();
    for (Object[] t : tensors) {
      for (float x : (float[]) t[2]) {
        o.f32(x);
      }
      o.pad();
    }
    return o.buf.toByteArray();
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

    void pad() {
      while (buf.size() % ALIGN != 0) {
        buf.write(0);
      }
    }
  }
}
