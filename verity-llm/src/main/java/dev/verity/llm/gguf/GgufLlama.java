package dev.verity.llm.gguf;

import dev.verity.core.Bytes;
import dev.verity.engine.ModelLoadException;
import dev.verity.llm.tokenizer.Tokenizer;
import dev.verity.llm.transformer.LlamaConfig;
import dev.verity.llm.transformer.LlamaWeights;
import dev.verity.llm.transformer.PackedMatrix;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Builds a Llama model from a GGUF file: {@code llama.*} hyperparameters, tensors {@code
 * token_embd}, {@code blk.N.attn_norm/attn_q/attn_k/attn_v/attn_output/ffn_norm/ffn_gate/ffn_up/
 * ffn_down}, {@code output_norm} and optionally {@code output} (absent means a shared classifier),
 * and the {@code llama} (SentencePiece-style) tokenizer, whose "▁" (U+2581) becomes a space.
 * Weights are dequantized to float32 once at load, deterministically (F16 exactly; Q8_0 as int8 ×
 * float16-scale in float32).
 */
public final class GgufLlama {
  private static final String SPACE_MARK = "\u2581";

  /** A model read from GGUF. */
  public record Loaded(LlamaConfig config, LlamaWeights weights, Tokenizer tokenizer) {}

  private GgufLlama() {}

  public static Loaded load(Path file, long maxParameterBytes) throws ModelLoadException {
    try (GgufFile g = GgufFile.open(file)) {
      return load(g, maxParameterBytes);
    } catch (IOException e) {
      throw new ModelLoadException("cannot read GGUF file " + file + ": " + e, e);
    }
  }

  public static Loaded load(GgufFile g, long maxParameterBytes) throws ModelLoadException {
    String arch = g.string("general.architecture");
    if (!arch.equals("llama")) {
      throw new GgufFormatException(
          "general.architecture is '" + arch + "'; only 'llama' models are supported");
    }
    if (g.metadata().containsKey("llama.rope.scaling.type")
        && !g.string("llama.rope.scaling.type").equals("none")) {
      throw new GgufFormatException(
          "RoPE scaling '" + g.string("llama.rope.scaling.type") + "' is not supported");
    }
    GgufTensor emb = tensor(g, "token_embd.weight");
    int dim = intValue(g, "llama.embedding_length");
    int vocab = emb.dims().size() == 2 ? (int) (long) emb.dims().get(1) : -1;
    int heads = intValue(g, "llama.attention.head_count");
    LlamaConfig c;
    try {
      c =
          new LlamaConfig(
              dim,
              intValue(g, "llama.feed_forward_length"),
              intValue(g, "llama.block_count"),
              heads,
              (int)
                  bounded(
                      g,
                      "llama.attention.head_count_kv",
                      g.integer("llama.attention.head_count_kv", heads)),
              vocab,
              intValue(g, "llama.context_length"),
              (float) g.real("llama.rope.freq_base", 10000.0),
              (float) g.real("llama.attention.layer_norm_rms_epsilon", 1e-5),
              !g.tensors().containsKey("output.weight"));
    } catch (IllegalArgumentException e) {
      throw new GgufFormatException("invalid llama hyperparameters: " + e.getMessage());
    }
    long ropeDims = g.integer("llama.rope.dimension_count", c.headSize());
    if (ropeDims != c.headSize()) {
      throw new GgufFormatException(
          "llama.rope.dimension_count "
              + ropeDims
              + " differs from the head size "
              + c.headSize()
              + " (partial RoPE is not supported)");
    }
    if (4 * c.parameterCount() > maxParameterBytes) {
      throw new GgufFormatException(
          "model has "
              + 4 * c.parameterCount()
              + " bytes of float32 parameters, over the limit of "
              + maxParameterBytes);
    }
    Set<String> used = new HashSet<>();
    PackedMatrix embedding = matrix(g, used, "token_embd.weight", dim, vocab);
    List<LlamaWeights.Layer> layers = new ArrayList<>();
    for (int l = 0; l < c.nLayers(); l++) {
      String p = "blk." + l + ".";
      layers.add(
          new LlamaWeights.Layer(
              vector(g, used, p + "attn_norm.weight", dim),
              matrix(g, used, p + "attn_q.weight", dim, dim),
              matrix(g, used, p + "attn_k.weight", dim, c.kvDim()),
              matrix(g, used, p + "attn_v.weight", dim, c.kvDim()),
              matrix(g, used, p + "attn_output.weight", dim, dim),
              vector(g, used, p + "ffn_norm.weight", dim),
              matrix(g, used, p + "ffn_gate.weight", dim, c.hiddenDim()),
              matrix(g, used, p + "ffn_down.weight", c.hiddenDim(), dim),
              matrix(g, used, p + "ffn_up.weight", dim, c.hiddenDim())));
    }
    float[] norm = vector(g, used, "output_norm.weight", dim);
    PackedMatrix cls =
        c.sharedClassifier() ? embedding : matrix(g, used, "output.weight", dim, vocab);
    for (String name : g.tensors().keySet()) {
      if (!used.contains(name)) {
        throw new GgufFormatException(
            "tensor '" + name + "' is not part of a supported Llama model");
      }
    }
    return new Loaded(c, new LlamaWeights(embedding, layers, norm, cls), tokenizer(g, vocab));
  }

  private static Tokenizer tokenizer(GgufFile g, int vocab) throws GgufFormatException {
    String model = g.string("tokenizer.ggml.model");
    if (!model.equals("llama")) {
      throw new GgufFormatException(
          "tokenizer.ggml.model is '" + model + "'; only the 'llama' tokenizer is supported");
    }
    List<?> tokens = g.array("tokenizer.ggml.tokens");
    List<?> scores = g.array("tokenizer.ggml.scores");
    if (tokens.size() != vocab || scores.size() != vocab) {
      throw new GgufFormatException(
          "tokenizer has "
              + tokens.size()
              + " tokens and "
              + scores.size()
              + " scores, the model's vocabulary is "
              + vocab);
    }
    List<byte[]> pieces = new ArrayList<>(vocab);
    float[] s = new float[vocab];
    for (int i = 0; i < vocab; i++) {
      if (!(tokens.get(i) instanceof Bytes b)) {
        throw new GgufFormatException("tokenizer.ggml.tokens[" + i + "] is not a string");
      }
      if (!(scores.get(i) instanceof Double d)) {
        throw new GgufFormatException("tokenizer.ggml.scores[" + i + "] is not a float");
      }
      String text = new String(b.toByteArray(), StandardCharsets.UTF_8);
      pieces.add(text.replace(SPACE_MARK, " ").getBytes(StandardCharsets.UTF_8));
      s[i] = (float) (double) d;
    }
    long bos = g.integer("tokenizer.ggml.bos_token_id", 1);
    long eos = g.integer("tokenizer.ggml.eos_token_id", 2);
    if (bos < 0 || bos >= vocab || eos < 0 || eos >= vocab) {
      throw new GgufFormatException(
          "bos " + bos + " or eos " + eos + " is outside the vocabulary of " + vocab);
    }
    try {
      return new Tokenizer(pieces, s, (int) bos, (int) eos);
    } catch (IllegalArgumentException e) {
      throw new GgufFormatException("invalid tokenizer: " + e.getMessage());
    }
  }

  private static int intValue(GgufFile g, String key) throws GgufFormatException {
    return (int) bounded(g, key, g.requireInteger(key));
  }

  private static long bounded(GgufFile g, String key, long v) throws GgufFormatException {
    if (v <= 0 || v > Integer.MAX_VALUE) {
      throw new GgufFormatException("metadata '" + key + "' is " + v + ", not a positive int");
    }
    return v;
  }

  private static GgufTensor tensor(GgufFile g, String name) throws GgufFormatException {
    GgufTensor t = g.tensors().get(name);
    if (t == null) {
      throw new GgufFormatException("tensor '" + name + "' is missing");
    }
    return t;
  }

  private static GgufTensor check(GgufFile g, Set<String> used, String name, long... dims)
      throws GgufFormatException {
    GgufTensor t = tensor(g, name);
    List<Long> expected = new ArrayList<>();
    for (long d : dims) {
      expected.add(d);
    }
    if (!t.dims().equals(expected)) {
      throw new GgufFormatException(
          "tensor '" + name + "' has dimensions " + t.dims() + ", expected " + expected);
    }
    used.add(name);
    return t;
  }

  private static float[] vector(GgufFile g, Set<String> used, String name, int n)
      throws GgufFormatException {
    GgufTensor t = check(g, used, name, n);
    float[] out = new float[n];
    g.readRow(t, 0, out);
    return out;
  }

  /** A matrix mapping {@code in} inputs to {@code out} outputs: ggml dims [in, out]. */
  private static PackedMatrix matrix(GgufFile g, Set<String> used, String name, int in, int out)
      throws GgufFormatException {
    GgufTensor t = check(g, used, name, in, out);
    return PackedMatrix.ofRows(out, in, (r, row) -> g.readRow(t, r, row));
  }
}
