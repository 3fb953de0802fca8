package dev.verity.audit.strict;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verity.audit.TestFiles;
import dev.verity.audit.bisect.BisectionMove;
import dev.verity.audit.bisect.BisectionParty;
import dev.verity.audit.bisect.DisputeGame;
import dev.verity.audit.bisect.DisputeOutcome;
import dev.verity.audit.bisect.Side;
import dev.verity.audit.bisect.TraceParty;
import dev.verity.audit.bisect.Verdict;
import dev.verity.core.Digest;
import dev.verity.engine.EngineLimits;
import dev.verity.engine.InferenceResult;
import dev.verity.engine.RunOptions;
import dev.verity.engine.Tensor;
import dev.verity.engine.TensorEncoding;
import dev.verity.engine.TraceCommitment;
import dev.verity.engine.TraceOpening;
import dev.verity.engine.strict.StrictEngine;
import dev.verity.engine.strict.StrictModel;
import java.nio.file.Files;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Disputes over a real mnist-7 trace from the strict engine: a lie about one intermediate tensor is
 * pinned to its node and convicted; an honest party is never convicted.
 */
class StrictDisputeTest {
  static byte[] modelBytes;
  static Map<String, Tensor> input;
  static TraceCommitment trace;
  static Digest output;
  static StrictStepReferee referee;

  @BeforeAll
  static void run() throws Exception {
    modelBytes = Files.readAllBytes(TestFiles.model("mnist/mnist-7.onnx"));
    float[] px = new float[28 * 28];
    Random r = new Random(7);
    for (int i = 0; i < px.length; i++) {
      px[i] = r.nextFloat();
    }
    try (StrictModel m = new StrictEngine().load(modelBytes, EngineLimits.DEFAULT)) {
      String name = m.inputs().getFirst().name();
      input = Map.of(name, Tensor.ofFloats(new long[] {1, 1, 28, 28}, px));
      InferenceResult res = m.run(input, RunOptions.WITH_TRACE);
      trace = res.trace().orElseThrow();
      output = TensorEncoding.digest(res.outputs());
    }
    referee = new StrictStepReferee(modelBytes, input, EngineLimits.DEFAULT);
  }

  static Tensor perturbed(Tensor t, long seed) {
    Random r = new Random(seed);
    byte[] d = t.data();
    int i = r.nextInt(d.length);
    d[i] ^= (byte) (1 << r.nextInt(8));
    return Tensor.ofBytes(t.type(), t.shape(), d);
  }

  DisputeOutcome play(
      BisectionParty<TraceOpening> p, BisectionParty<TraceOpening> c, Digest pOut, Digest cOut) {
    return new DisputeGame<>(referee).play(p, c, pOut, cOut);
  }

  @Test
  void referee_layout_matchesEngineTrace() {
    assertThat(referee.leafCount()).isEqualTo(trace.leafCount());
    for (long i = 0; i < trace.leafCount(); i++) {
      assertThat(referee.leafIndexOf(trace.open(i).outputName())).isEqualTo(i);
    }
  }

  @Test
  void providerLiesAboutEveryLeaf_bisectionPinsThatNode_andConvictsProvider() {
    for (long j = 0; j < trace.leafCount(); j++) {
      TraceParty<TraceOpening> liar =
          StrictParties.lyingAbout(trace, j, perturbed(trace.open(j).tensor(), j));
      DisputeOutcome o = play(liar, StrictParties.honest(trace), output, output);
      assertThat(o).isInstanceOf(DisputeOutcome.Judged.class);
      DisputeOutcome.Judged jd = (DisputeOutcome.Judged) o;
      assertThat(jd.leafIndex()).as("pinned leaf").isEqualTo(j);
      assertThat(jd.verdict()).isEqualTo(Verdict.CHALLENGER_CORRECT);
      assertThat(jd.detail()).contains("provider: re-executing node #" + trace.open(j).nodeIndex());
    }
  }

  @Test
  void honestProvider_neverConvicted_overRandomChallengerLies() {
    Random r = new Random(11);
    int falselyAccused = 0;
    int lyingChallengersLost = 0;
    for (int run = 0; run < 40; run++) {
      long j = r.nextInt((int) trace.leafCount());
      TraceParty<TraceOpening> liar =
          StrictParties.lyingAbout(trace, j, perturbed(trace.open(j).tensor(), run));
      DisputeOutcome o = play(StrictParties.honest(trace), liar, output, output);
      falselyAccused += o.providerConvicted() ? 1 : 0;
      lyingChallengersLost += o.challengerLost() ? 1 : 0;
      assertThat(((DisputeOutcome.Judged) o).verdict()).isEqualTo(Verdict.PROVIDER_CORRECT);
    }
    assertThat(falselyAccused).isZero();
    assertThat(lyingChallengersLost).isEqualTo(40);
  }

  @Test
  void bothLie_atDifferentLeaves_earlierLiePinned_bothWrongWhenSameLeaf() {
    long n = trace.leafCount();
    TraceParty<TraceOpening> early =
        StrictParties.lyingAbout(trace, 1, perturbed(trace.open(1).tensor(), 1));
    TraceParty<TraceOpening> late =
        StrictParties.lyingAbout(trace, n - 2, perturbed(trace.open(n - 2).tensor(), 2));
    DisputeOutcome.Judged o = (DisputeOutcome.Judged) play(late, early, output, output);
    assertThat(o.leafIndex()).isEqualTo(1);
    assertThat(o.verdict()).isEqualTo(Verdict.PROVIDER_CORRECT);
    TraceParty<TraceOpening> other =
        StrictParties.lyingAbout(trace, 1, perturbed(trace.open(1).tensor(), 99));
    DisputeOutcome.Judged both = (DisputeOutcome.Judged) play(early, other, output, output);
    assertThat(both.verdict()).isEqualTo(Verdict.BOTH_WRONG);
  }

  @Test
  void sameTrace_wrongOutputDigest_judgedOnTheOutputStep() {
    Digest wrong = Digest.of(new byte[] {1});
    DisputeOutcome.Judged p =
        (DisputeOutcome.Judged)
            play(StrictParties.honest(trace), StrictParties.honest(trace), wrong, output);
    assertThat(p.leafIndex()).isEqualTo(trace.leafCount());
    assertThat(p.verdict()).isEqualTo(Verdict.CHALLENGER_CORRECT);
    DisputeOutcome.Judged c =
        (DisputeOutcome.Judged)
            play(StrictParties.honest(trace), StrictParties.honest(trace), output, wrong);
    assertThat(c.verdict()).isEqualTo(Verdict.PROVIDER_CORRECT);
  }

  @Test
  void silentProvider_forfeits_andInconsistentMove_forfeits() {
    TraceParty<TraceOpening> liar =
        StrictParties.lyingAbout(trace, 3, perturbed(trace.open(3).tensor(), 3));
    BisectionParty<TraceOpening> silent =
        new BisectionParty<>() {
          public Digest root() {
            return liar.root();
          }

          public long leafCount() {
            return liar.leafCount();
          }

          public Optional<BisectionMove> move(int round, long start, long size) {
            return round < 2 ? liar.move(round, start, size) : Optional.empty();
          }

          public Optional<TraceOpening> open(long index) {
            return liar.open(index);
          }
        };
    DisputeOutcome o = play(silent, StrictParties.honest(trace), output, output);
    assertThat(o)
        .isEqualTo(new DisputeOutcome.Forfeited(Side.PROVIDER, 2, "missed the move deadline"));
    TraceParty<TraceOpening> honest = StrictParties.honest(trace);
    BisectionParty<TraceOpening> swapper =
        new BisectionParty<>() {
          public Digest root() {
            return liar.root();
          }

          public long leafCount() {
            return liar.leafCount();
          }

          public Optional<BisectionMove> move(int round, long start, long size) {
            // Reveals the honest children under its lying root: caught immediately.
            return honest.move(round, start, size);
          }

          public Optional<TraceOpening> open(long index) {
            return liar.open(index);
          }
        };
    DisputeOutcome bad = play(swapper, honest, output, output);
    assertThat(bad.providerConvicted()).isTrue();
    assertThat(((DisputeOutcome.Forfeited) bad).reason())
        .contains("do not hash to the committed subtree");
  }

  @Test
  void withheldLeaf_losesTheStep() {
    TraceParty<TraceOpening> liar =
        StrictParties.lyingAbout(trace, 4, perturbed(trace.open(4).tensor(), 4));
    BisectionParty<TraceOpening> withholding =
        new BisectionParty<>() {
          public Digest root() {
            return liar.root();
          }

          public long leafCount() {
            return liar.leafCount();
          }

          public Optional<BisectionMove> move(int round, long start, long size) {
            return liar.move(round, start, size);
          }

          public Optional<TraceOpening> open(long index) {
            return Optional.empty();
          }
        };
    DisputeOutcome.Judged o =
        (DisputeOutcome.Judged) play(withholding, StrictParties.honest(trace), output, output);
    assertThat(o.verdict()).isEqualTo(Verdict.CHALLENGER_CORRECT);
    assertThat(o.detail()).contains("withheld its leaf 4");
  }
}
