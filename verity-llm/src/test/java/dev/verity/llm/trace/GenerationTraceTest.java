package dev.verity.llm.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.core.Digest;
import dev.verity.llm.Generation;
import dev.verity.llm.GenerationRequest;
import dev.verity.llm.LlamaModel;
import dev.verity.llm.Prompt;
import dev.verity.llm.SharedModels;
import dev.verity.llm.TraceMode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class GenerationTraceTest {
  /** Root of the reference run: stories260K, "Once upon a time", greedy, llama2.c 128 steps. */
  static final String REFERENCE_ROOT =
      "sha256:379db1361ccd755512a5fe2b110eb06a98f3c5b713550a96504d46e1032c119b";

  /** Root of a sampled run: same prompt, temperature 0.8, top_p 0.9, seed 42, 60 tokens. */
  static final String SAMPLED_ROOT =
      "sha256:ea46c901f71df6f23c02e1d25ca0dc0b09e6be506e5406a3a4ab1fe29b8d7879";

  private static LlamaModel model;
  private static Generation reference;

  @BeforeAll
  static void run() throws Exception {
    model = SharedModels.stories();
    reference =
        model.generate(GenerationRequest.greedy("Once upon a time", 124).withTrace(TraceMode.FULL));
  }

  @Test
  void referenceRun_traceRootIsPinned() throws Exception {
    GenerationTrace t = reference.trace();
    assertThat(t.positions()).isEqualTo(128);
    assertThat(t.leafCount()).isEqualTo(128L * model.config().nLayers());
    assertThat(t.root().toString()).isEqualTo(REFERENCE_ROOT);
    // Keeping only hashes gives the same root.
    assertThat(model.generate(GenerationRequest.greedy("Once upon a time", 124)).traceRoot())
        .isEqualTo(t.root());
  }

  @Test
  void sampledRun_sameSeedSameTokensAndRoot_pinned() throws Exception {
    GenerationRequest req =
        new GenerationRequest(
            Prompt.text("Once upon a time"), 60, 0.8f, 0.9f, 42L, TraceMode.HASHES);
    Generation a = model.generate(req);
    Generation b = model.generate(req);
    assertThat(a.completionTokens()).isEqualTo(b.completionTokens());
    assertThat(a.traceRoot()).isEqualTo(b.traceRoot());
    assertThat(a.seed()).isEqualTo(42L);
    assertThat(a.traceRoot().toString()).isEqualTo(SAMPLED_ROOT);
    Generation other =
        model.generate(
            new GenerationRequest(
                Prompt.text("Once upon a time"), 60, 0.8f, 0.9f, 43L, TraceMode.HASHES));
    assertThat(other.completionTokens()).isNotEqualTo(a.completionTokens());
  }

  @Test
  void everyLeaf_opensWithAProofAgainstTheRoot() throws Exception {
    GenerationTrace t = reference.trace();
    for (int pos = 0; pos < t.positions(); pos += 7) {
      for (int l = 0; l < t.layers(); l++) {
        t.provenLeaf(pos, l).verify(t.root(), t.leafCount(), t.layers());
      }
    }
  }

  @Test
  void stepVerifier_reexecutesCommittedSteps() throws Exception {
    GenerationTrace t = reference.trace();
    StepVerifier v = model.stepVerifier();
    int last = t.positions() - 1;
    int[][] steps = {{0, 0}, {3, 0}, {4, 1}, {40, 2}, {last, t.layers() - 1}, {last, 0}};
    for (int[] s : steps) {
      v.verify(t.root(), t.leafCount(), StepEvidence.from(t, s[0], s[1]));
    }
  }

  @Test
  void stepVerifier_liarCommittedWrongActivation_throwsOnReexecution() throws Exception {
    GenerationTrace honest = reference.trace();
    int pos = 20;
    int layer = 2;
    GenerationTrace liar = tamper(honest, pos, layer);
    // The lie is consistent with the liar's own root, so proofs pass ...
    StepEvidence e = StepEvidence.from(liar, pos, layer);
    e.output().verify(liar.root(), liar.leafCount(), liar.layers());
    // ... but re-executing the single step exposes it.
    assertThatThrownBy(() -> model.stepVerifier().verify(liar.root(), liar.leafCount(), e))
        .isInstanceOf(TraceVerificationException.class)
        .hasMessageContaining("re-executing layer 2 at position 20");
    // The step before it is honest and re-executes against the liar's root.
    model.stepVerifier().verify(liar.root(), liar.leafCount(), StepEvidence.from(liar, pos, 1));
    // The step after it took the lie as input but kept the honest output, so it fails too;
    // bisection looks for the first failing step, whose inputs were all honest.
    assertThatThrownBy(
            () ->
                model
                    .stepVerifier()
                    .verify(liar.root(), liar.leafCount(), StepEvidence.from(liar, pos, 3)))
        .hasMessageContaining("re-executing layer 3 at position 20");
  }

  @Test
  void stepVerifier_evidenceNotInTheCommittedTree_throws() throws Exception {
    GenerationTrace honest = reference.trace();
    GenerationTrace other = tamper(honest, 10, 1);
    // Leaves from another trace do not prove against the honest root.
    StepEvidence foreign = StepEvidence.from(other, 10, 2);
    assertThatThrownBy(
            () -> model.stepVerifier().verify(honest.root(), honest.leafCount(), foreign))
        .isInstanceOf(TraceVerificationException.class)
        .hasMessageContaining("does not lead to root");
    // A wrong token for a position is refused before any work.
    StepEvidence good = StepEvidence.from(honest, 10, 2);
    List<Integer> tokens = new ArrayList<>(good.tokens());
    tokens.set(10, tokens.get(10) + 1);
    StepEvidence wrongToken = new StepEvidence(10, 2, tokens, good.inputs(), good.output());
    assertThatThrownBy(
            () -> model.stepVerifier().verify(honest.root(), honest.leafCount(), wrongToken))
        .hasMessageContaining("is not the expected");
    // Inputs shifted by one position are refused.
    List<ProvenLeaf> shifted = new ArrayList<>(good.inputs());
    shifted.set(3, good.inputs().get(4));
    StepEvidence swapped = new StepEvidence(10, 2, good.tokens(), shifted, good.output());
    assertThatThrownBy(
            () -> model.stepVerifier().verify(honest.root(), honest.leafCount(), swapped))
        .hasMessageContaining("is not the expected");
    // A wrong tree size is refused.
    assertThatThrownBy(
            () -> model.stepVerifier().verify(honest.root(), honest.leafCount() - 1, good))
        .hasMessageContaining("proof is for leaf");
  }

  @Test
  void stepVerifier_headStep_recomputesTheSampledToken() throws Exception {
    GenerationRequest req =
        new GenerationRequest(Prompt.text("Once upon a time"), 30, 0.8f, 0.9f, 42L, TraceMode.FULL);
    Generation g = model.generate(req);
    GenerationTrace t = g.trace();
    int nPrompt = g.promptTokens().size();
    int last = t.layers() - 1;
    StepVerifier v = model.stepVerifier();
    for (int i = 0; i < g.completionTokens().size(); i++) {
      int pos = nPrompt - 1 + i;
      v.verifyHead(
          t.root(),
          t.leafCount(),
          t.provenLeaf(pos, last),
          g.completionTokens().get(i),
          0.8f,
          0.9f,
          42L,
          i);
    }
    // Another seed, or a different claimed token, is caught.
    int pos = nPrompt + 3;
    int claimed = g.completionTokens().get(4);
    assertThatThrownBy(
            () ->
                v.verifyHead(
                    t.root(),
                    t.leafCount(),
                    t.provenLeaf(pos, last),
                    claimed + 1,
                    0.8f,
                    0.9f,
                    42L,
                    4))
        .isInstanceOf(TraceVerificationException.class)
        .hasMessageContaining("samples token " + claimed);
    assertThatThrownBy(
            () ->
                v.verifyHead(
                    t.root(), t.leafCount(), t.provenLeaf(pos, 0), claimed, 0.8f, 0.9f, 42L, 4))
        .hasMessageContaining("last layer");
  }

  /** A copy of {@code t} with the activation at (pos, layer) changed in its lowest bit. */
  static GenerationTrace tamper(GenerationTrace t, int pos, int layer) {
    List<byte[]> hashes = new ArrayList<>();
    List<float[]> acts = new ArrayList<>();
    for (int p = 0; p < t.positions(); p++) {
      for (int l = 0; l < t.layers(); l++) {
        float[] v = t.leaf(p, l).values();
        if (p == pos && l == layer) {
          v[7] = Float.intBitsToFloat(Float.floatToRawIntBits(v[7]) ^ 1);
        }
        acts.add(v);
        hashes.add(TraceLeaf.of(p, l, t.tokens()[p], v).leafHash().value().toByteArray());
      }
    }
    GenerationTrace out = new GenerationTrace(t.layers(), t.tokens(), hashes, acts);
    assertThat(out.root()).isNotEqualTo(t.root());
    return out;
  }

  static Digest root(String s) {
    return Digest.parse(s);
  }
}
