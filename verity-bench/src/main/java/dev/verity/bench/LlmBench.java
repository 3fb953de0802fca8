package dev.verity.bench;

import dev.verity.llm.Generation;
import dev.verity.llm.GenerationRequest;
import dev.verity.llm.LlamaModel;
import dev.verity.llm.LlmLimits;
import dev.verity.llm.LlmOptions;
import dev.verity.llm.Prompt;
import dev.verity.llm.TraceMode;
import dev.verity.llm.transformer.Kernels;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Tokens per second of the bit-exact Llama engine: stories260K and a synthetic checkpoint with
 * stories15M dimensions (random weights, written deterministically to a temporary file), single
 * thread and all cores, against the llama2.c C reference figure for stories260K on this machine.
 * Usage: {@code verity bench llm [--shared DIR] [--steps N] [--seconds S]}.
 */
public final class LlmBench {
  /** llama2.c run.c, gcc -O3 -march=native, single thread, stories260K, on this machine. */
  static final double LLAMA2C_STORIES260K_TOKENS_PER_SECOND = 7000.0;

  private LlmBench() {}

  public static void main(String[] args) throws Exception {
    Path shared = Path.of(System.getProperty("verity.shared", "../shared"));
    if (!Files.isDirectory(shared.resolve("models"))) {
      shared = Path.of(System.getProperty("user.dir")).resolve("..").resolve("shared");
    }
    int steps = 256;
    double seconds = 3.0;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--shared" -> shared = Path.of(args[++i]);
        case "--steps" -> steps = Integer.parseInt(args[++i]);
        case "--seconds" -> seconds = Double.parseDouble(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    int cores = Runtime.getRuntime().availableProcessors();
    Path dir = shared.resolve("models").resolve("tinyllamas");
    Path ckpt = dir.resolve("stories260K.bin");
    Path tok = dir.resolve("tok512.bin");
    System.out.printf(
        Locale.ROOT,
        "verity-llm benchmark: greedy generation, %d positions per run (llama2.c steps), %d"
            + " cores%n",
        steps,
        cores);

    double single260 = measure("stories260K", ckpt, tok, 1, Kernels.VECTOR, steps, seconds);
    double scalar260 = measure("stories260K", ckpt, tok, 1, Kernels.SCALAR, steps, seconds);
    double multi260 = measure("stories260K", ckpt, tok, cores, Kernels.VECTOR, steps, seconds);

    Path tmp = Files.createTempDirectory("verity-llm-bench");
    try {
      Path synth = tmp.resolve("synthetic15M.bin");
      Path synthTok = tmp.resolve("tok32000.bin");
      writeSynthetic15M(synth, synthTok);
      double single15 =
          measure("synthetic-15M", synth, synthTok, 1, Kernels.VECTOR, steps, seconds);
      double scalar15 =
          measure("synthetic-15M", synth, synthTok, 1, Kernels.SCALAR, steps, seconds);
      double multi15 =
          measure("synthetic-15M", synth, synthTok, cores, Kernels.VECTOR, steps, seconds);
      System.out.println();
      System.out.printf(
          Locale.ROOT,
          "stories260K   1 thread : %9.1f tokens/s  (scalar reference %9.1f; vector/scalar %.2fx)%n",
          single260,
          scalar260,
          single260 / scalar260);
      System.out.printf(Locale.ROOT, "stories260K   %d threads: %9.1f tokens/s%n", cores, multi260);
      System.out.printf(
          Locale.ROOT,
          "synthetic15M  1 thread : %9.1f tokens/s  (scalar reference %9.1f; vector/scalar %.2fx)%n",
          single15,
          scalar15,
          single15 / scalar15);
      System.out.printf(
          Locale.ROOT,
          "synthetic15M  %d threads: %9.1f tokens/s  (%.2fx of 1 thread)%n",
          cores,
          multi15,
          multi15 / single15);
      System.out.printf(
          Locale.ROOT,
          "ratio vs llama2.c (gcc -O3 -march=native, 1 thread, stories260K, %.0f tokens/s):"
              + " %.2fx (goal >= 0.80x)%n",
          LLAMA2C_STORIES260K_TOKENS_PER_SECOND,
          single260 / LLAMA2C_STORIES260K_TOKENS_PER_SECOND);
    } finally {
      try (var s = Files.list(tmp)) {
        for (Path p : s.toList()) {
          Files.deleteIfExists(p);
        }
      }
      Files.deleteIfExists(tmp);
    }
  }

  /** Positions forwarded per second, over whole generate() calls after a JIT warm-up. */
  private static double measure(
      String name, Path ckpt, Path tok, int threads, Kernels kernels, int steps, double seconds)
      throws Exception {
    LlmOptions options =
        LlmOptions.DEFAULT
            .withThreads(threads)
            .withKernels(kernels)
            .withLimits(new LlmLimits(1 << 20, 1 << 20));
    try (LlamaModel model = LlamaModel.load(ckpt, tok, options)) {
      int positions = Math.min(steps, model.contextLength() - 1);
      GenerationRequest req =
          new GenerationRequest(Prompt.tokens(List.of(1)), positions, 0f, 1f, 0L, TraceMode.HASHES);
      String root = null;
      // Warm up: let C2 compile the kernels before timing.
      long warmEnd = System.nanoTime() + (long) (Math.min(2.0, seconds) * 1e9);
      while (System.nanoTime() < warmEnd) {
        root = model.generate(req).traceRoot().toString();
      }
      long forwarded = 0;
      long start = System.nanoTime();
      long end = start + (long) (seconds * 1e9);
      int runs = 0;
      while (System.nanoTime() < end || runs < 3) {
        Generation g = model.generate(req);
        forwarded += g.trace().positions();
        runs++;
        if (!g.traceRoot().toString().equals(root)) {
          throw new IllegalStateException("two runs of the same request gave different traces");
        }
      }
      double tps = forwarded / ((System.nanoTime() - start) / 1e9);
      System.out.printf(
          Locale.ROOT,
          "  %-14s %-6s threads=%d  %9.1f tokens/s  (%d runs, trace root %s)%n",
          name,
          kernels,
          threads,
          tps,
          runs,
          root.substring(0, 23) + "…");
      return tps;
    }
  }

  /**
   * Writes a llama2.c checkpoint with stories15M dimensions (dim 288, hidden 768, 6 layers, 6
   * heads, vocab 32000, seq 256, shared classifier) whose weights are uniform in [-0.05, 0.05) from
   * SplitMix64 seed 15, plus a 32000-token tokenizer. Embedding rows of BOS and EOS are zero so
   * greedy decoding does not stop early.
   */
  static void writeSynthetic15M(Path ckpt, Path tok) throws IOException {
    int dim = 288;
    int hidden = 768;
    int layers = 6;
    int heads = 6;
    int vocab = 32000;
    int seq = 256;
    int hs = dim / heads;
    long state = 15;
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(ckpt), 1 << 20)) {
      ByteBuffer h = ByteBuffer.allocate(28).order(ByteOrder.LITTLE_ENDIAN);
      h.putInt(dim).putInt(hidden).putInt(layers).putInt(heads).putInt(heads).putInt(vocab);
      h.putInt(seq);
      out.write(h.array());
      long[] counts = {
        (long) vocab * dim,
        (long) layers * dim,
        (long) layers * dim * dim,
        (long) layers * dim * dim,
        (long) layers * dim * dim,
        (long) layers * dim * dim,
        (long) layers * dim,
        (long) layers * dim * hidden,
        (long) layers * dim * hidden,
        (long) layers * dim * hidden,
        dim,
        (long) seq * hs
      };
      ByteBuffer buf = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
      for (int part = 0; part < counts.length; part++) {
        boolean norm = part == 1 || part == 6 || part == 10;
        for (long i = 0; i < counts[part]; i++) {
          state += 0x9E3779B97F4A7C15L;
          long z = state;
          z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
          z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
          z ^= z >>> 31;
          float u = (z >>> 40) * 0x1.0p-24f;
          float v = norm ? 1.0f : (u - 0.5f) * 0.1f;
          if (part == 0 && (i / dim == 1 || i / dim == 2)) {
            v = 0f;
          }
          buf.putFloat(v);
          if (!buf.hasRemaining()) {
            out.write(buf.array());
            buf.clear();
          }
        }
      }
      out.write(buf.array(), 0, buf.position());
    }
    try (DataOutputStream out =
        new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tok)))) {
      ByteBuffer b = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
      out.write(b.putInt(0, 16).array(), 0, 4);
      for (int i = 0; i < vocab; i++) {
        String piece =
            i == 0
                ? "<unk>"
                : i == 1
                    ? "<s>"
                    : i == 2
                        ? "</s>"
                        : i < 259 ? String.format(Locale.ROOT, "<0x%02X>", i - 3) : "t" + i;
        byte[] p = piece.getBytes(StandardCharsets.UTF_8);
        b.clear();
        b.putFloat(-i).putInt(p.length);
        out.write(b.array(), 0, 8);
        out.write(p);
      }
    }
  }
}
