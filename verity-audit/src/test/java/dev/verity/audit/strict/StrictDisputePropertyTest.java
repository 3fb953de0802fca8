package dev.verity.audit.strict;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verity.audit.TestFiles;
import dev.verity.audit.bisect.DisputeGame;
import dev.verity.audit.bisect.DisputeOutcome;
import dev.verity.audit.bisect.TraceParty;
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
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Over random lie positions, bits and sides on mnist-7: the liar always loses, the honest side
 * never does (falsely accused = 0), and the pinned leaf is the lie's.
 */
class StrictDisputePropertyTest {
  static TraceCommitment trace;
  static Digest output;
  static DisputeGame<TraceOpening> game;

  @BeforeContainer
  static void run() throws Exception {
    byte[] model = Files.readAllBytes(TestFiles.model("mnist/mnist-7.onnx"));
    float[] px = new float[28 * 28];
    Random r = new Random(21);
    for (int i = 0; i < px.length; i++) {
      px[i] = r.nextFloat() * 255f;
    }
    Map<String, Tensor> input;
    try (StrictModel m = new StrictEngine().load(model, EngineLimits.DEFAULT)) {
      input = Map.of(m.inputs().getFirst().name(), Tensor.ofFloats(new long[] {1, 1, 28, 28}, px));
      InferenceResult res = m.run(input, RunOptions.WITH_TRACE);
      trace = res.trace().orElseThrow();
      output = TensorEncoding.digest(res.outputs());
    }
    game = new DisputeGame<>(new StrictStepReferee(model, input, EngineLimits.DEFAULT));
  }

  @Property(tries = 60)
  void liarLoses_honestNeverAccused(
      @ForAll @IntRange(min = 0, max = 10_000) int leafSeed,
      @ForAll @IntRange(min = 0, max = 1 << 30) int byteSeed,
      @ForAll @IntRange(min = 0, max = 7) int bit,
      @ForAll boolean providerLies) {
    long j = leafSeed % trace.leafCount();
    Tensor t = trace.open(j).tensor();
    byte[] d = t.data();
    d[byteSeed % d.length] ^= (byte) (1 << bit);
    TraceParty<TraceOpening> liar =
        StrictParties.lyingAbout(trace, j, Tensor.ofBytes(t.type(), t.shape(), d));
    TraceParty<TraceOpening> honest = StrictParties.honest(trace);
    DisputeOutcome o =
        providerLies
            ? game.play(liar, honest, output, output)
            : game.play(honest, liar, output, output);
    assertThat(((DisputeOutcome.Judged) o).leafIndex()).isEqualTo(j);
    if (providerLies) {
      assertThat(o.providerConvicted()).isTrue();
      assertThat(o.challengerLost()).isFalse();
    } else {
      assertThat(o.providerConvicted()).as("honest provider falsely accused").isFalse();
      assertThat(o.challengerLost()).isTrue();
    }
  }

  @Property(tries = 10)
  void noLie_challengerDisputingOnlyTheOutput_neverConvictsProvider(
      @ForAll @IntRange(min = 1, max = 1 << 20) int salt) {
    Digest claimed = Digest.of(new byte[] {(byte) salt, (byte) (salt >> 8), (byte) (salt >> 16)});
    TraceParty<TraceOpening> a = StrictParties.honest(trace);
    DisputeOutcome o = game.play(a, StrictParties.honest(trace), output, claimed);
    assertThat(o.providerConvicted()).isFalse();
    assertThat(o.challengerLost()).isTrue();
  }
}
