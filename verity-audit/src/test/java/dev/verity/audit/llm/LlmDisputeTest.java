package dev.verity.audit.llm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verity.audit.TestFiles;
import dev.verity.audit.bisect.DisputeGame;
import dev.verity.audit.bisect.DisputeOutcome;
import dev.verity.audit.bisect.TraceParty;
import dev.verity.audit.bisect.Verdict;
import dev.verity.core.Digest;
import dev.verity.llm.Generation;
import dev.verity.llm.GenerationRequest;
import dev.verity.llm.LlamaModel;
import dev.verity.llm.Prompt;
import dev.verity.llm.TraceMode;
import dev.verity.llm.trace.GenerationTrace;
import dev.verity.llm.trace.ProvenLeaf;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Disputes over a real stories260K generation trace (sampled, so the head check is exercised): a
 * lie at one (position, layer) is pinned to that step and convicted; an honest provider is never
 * convicted.
 */
class LlmDisputeTest {
  static final float TEMP = 0.8f;
  static final float TOP_P = 0.9f;
  static final long SEED = 42L;
  static LlamaModel model;
  static GenerationTrace trace;
  static Generation gen;
  static LlmStepReferee referee;
  static final Digest OUT = Digest.of(new byte[] {0});

  @BeforeAll
  static void run() throws Exception {
    var dir = TestFiles.model("tinyllamas");
    model = LlamaModel.load(dir.resolve("stories260K.bin"), dir.resolve("tok512.bin"));
    gen =
        model.generate(
            new GenerationRequest(
                Prompt.text("Once upon a time"), 16, TEMP, TOP_P, SEED, TraceMode.FULL));
    trace = gen.trace();
    referee =
        new LlmStepReferee(
            model.stepVerifier(), trace.layers(), gen.promptTokens(), TEMP, TOP_P, SEED);
  }

  @AfterAll
  static void close() {
    model.close();
  }

  DisputeOutcome play(TraceParty<ProvenLeaf> p, TraceParty<ProvenLeaf> c) {
    return new DisputeGame<>(referee).play(p, c, OUT, OUT);
  }

  static float[] flipped(float[] v, Random r) {
    float[] out = v.clone();
    int i = r.nextInt(out.length);
    out[i] = Float.intBitsToFloat(Float.floatToRawIntBits(out[i]) ^ (1 << r.nextInt(23)));
    return out;
  }

  @Test
  void honestParty_rootEqualsGeneratedTraceRoot() {
    assertThat(LlmParties.honest(trace).root()).isEqualTo(trace.root());
    assertThat(trace.positions()).isGreaterThan(gen.promptTokens().size());
  }

  @Test
  void providerLiesAtOneStep_pinnedThere_andConvicted_overRandomSteps() {
    Random r = new Random(5);
    TraceParty<ProvenLeaf> honest = LlmParties.honest(trace);
    for (int run = 0; run < 12; run++) {
      int p = r.nextInt(trace.positions());
      int l = r.nextInt(trace.layers());
      TraceParty<ProvenLeaf> liar =
          LlmParties.lyingAbout(trace, p, l, flipped(trace.leaf(p, l).values(), r));
      DisputeOutcome.Judged o = (DisputeOutcome.Judged) play(liar, honest);
      assertThat(o.leafIndex()).isEqualTo(trace.leafIndex(p, l));
      assertThat(o.verdict()).as(o.detail()).isEqualTo(Verdict.CHALLENGER_CORRECT);
      assertThat(o.detail()).contains("layer " + l).contains("position " + p);
    }
  }

  @Test
  void lyingChallenger_neverConvictsHonestProvider() {
    Random r = new Random(6);
    TraceParty<ProvenLeaf> honest = LlmParties.honest(trace);
    int falselyAccused = 0;
    for (int run = 0; run < 12; run++) {
      int p = r.nextInt(trace.positions());
      int l = r.nextInt(trace.layers());
      TraceParty<ProvenLeaf> liar =
          LlmParties.lyingAbout(trace, p, l, flipped(trace.leaf(p, l).values(), r));
      DisputeOutcome o = play(honest, liar);
      falselyAccused += o.providerConvicted() ? 1 : 0;
      assertThat(((DisputeOutcome.Judged) o).verdict()).isEqualTo(Verdict.PROVIDER_CORRECT);
    }
    assertThat(falselyAccused).isZero();
  }

  @Test
  void providerClaimsOtherSampledToken_headCheckConvicts() {
    int p = gen.promptTokens().size() + 2;
    int real = trace.tokens()[p];
    TraceParty<ProvenLeaf> liar = LlmParties.lyingAboutToken(trace, p, (real + 1) % 512);
    DisputeOutcome.Judged o = (DisputeOutcome.Judged) play(liar, LlmParties.honest(trace));
    assertThat(o.leafIndex()).isEqualTo(trace.leafIndex(p, 0));
    assertThat(o.verdict()).as(o.detail()).isEqualTo(Verdict.CHALLENGER_CORRECT);
    assertThat(o.detail()).contains("samples token " + real);
    // And the honest provider against a challenger who claims a different prompt token.
    TraceParty<ProvenLeaf> badPrompt =
        LlmParties.lyingAboutToken(trace, 1, (trace.tokens()[1] + 1) % 512);
    DisputeOutcome.Judged c = (DisputeOutcome.Judged) play(LlmParties.honest(trace), badPrompt);
    assertThat(c.verdict()).isEqualTo(Verdict.PROVIDER_CORRECT);
    assertThat(c.detail()).contains("the prompt has");
  }
}
