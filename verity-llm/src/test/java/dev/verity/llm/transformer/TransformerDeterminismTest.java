package dev.verity.llm.transformer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verity.llm.Generation;
import dev.verity.llm.GenerationRequest;
import dev.verity.llm.LlamaModel;
import dev.verity.llm.SharedModels;
import dev.verity.llm.trace.GenerationTrace;
import dev.verity.llm.trace.TraceRecorder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TransformerDeterminismTest {
  /** Forwards a fixed token sequence and returns the trace plus the bits of every logit. */
  private static Object[] run(Transformer t, int[] tokens) {
    LlamaConfig c = t.config();
    RunState s = new RunState(c, tokens.length);
    TraceRecorder rec = new TraceRecorder(c.nLayers(), c.dim(), false);
    List<Integer> logitBits = new ArrayList<>();
    for (int pos = 0; pos < tokens.length; pos++) {
      rec.beginPosition(pos, tokens[pos]);
      t.forward(s, tokens[pos], pos, true, rec);
      for (float f : s.logits()) {
        logitBits.add(Float.floatToRawIntBits(f));
      }
    }
    GenerationTrace trace = rec.finish();
    return new Object[] {trace.root(), logitBits};
  }

  @Test
  void scalarReferenceAndVectorKernels_anyThreadCount_giveIdenticalBits() throws Exception {
    LlamaModel model = SharedModels.stories();
    Generation g = model.generate(GenerationRequest.greedy("Once upon a time", 60));
    int[] tokens =
        java.util.stream.Stream.concat(g.promptTokens().stream(), g.completionTokens().stream())
            .mapToInt(Integer::intValue)
            .toArray();
    // generate() forwards every token but the last sampled one.
    tokens = java.util.Arrays.copyOf(tokens, tokens.length - 1);
    LlamaConfig c = model.config();
    LlamaWeights w = model.transformer().weights();
    Object[] reference;
    try (MatvecExecutor scalar = MatvecExecutor.create(Kernels.SCALAR, 1)) {
      reference = run(new Transformer(c, w, scalar), tokens);
    }
    assertThat(reference[0]).isEqualTo(g.traceRoot());
    for (Kernels k : Kernels.values()) {
      for (int threads : new int[] {1, 2, 3}) {
        // Threshold 1 splits every product, however small, across the threads.
        try (MatvecExecutor ex = MatvecExecutor.create(k, threads, 1)) {
          Object[] got = run(new Transformer(c, w, ex), tokens);
          assertThat(got[0]).as(k + " x" + threads).isEqualTo(reference[0]);
          assertThat(got[1]).as(k + " x" + threads).isEqualTo(reference[1]);
        }
      }
    }
  }
}
