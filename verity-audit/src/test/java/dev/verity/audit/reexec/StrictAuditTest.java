package dev.verity.audit.reexec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.audit.TestFiles;
import dev.verity.audit.bisect.DisputeGame;
import dev.verity.audit.bisect.DisputeOutcome;
import dev.verity.audit.bisect.TraceParty;
import dev.verity.audit.bisect.Verdict;
import dev.verity.audit.strict.StrictParties;
import dev.verity.audit.strict.StrictStepReferee;
import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.engine.EngineLimits;
import dev.verity.engine.InferenceResult;
import dev.verity.engine.NumericMode;
import dev.verity.engine.RunOptions;
import dev.verity.engine.Tensor;
import dev.verity.engine.TensorEncoding;
import dev.verity.engine.TraceCommitment;
import dev.verity.engine.TraceOpening;
import dev.verity.engine.strict.StrictEngine;
import dev.verity.engine.strict.StrictModel;
import dev.verity.receipt.Receipt;
import dev.verity.receipt.VerificationPolicy;
import dev.verity.receipt.eth.EthAddress;
import java.nio.file.Files;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Audit by re-execution, and a mismatch carried into the dispute game. */
class StrictAuditTest {
  static byte[] model;
  static Map<String, Tensor> input;
  static TraceCommitment trace;
  static Digest output;

  @BeforeAll
  static void run() throws Exception {
    model = Files.readAllBytes(TestFiles.model("mnist/mnist-7.onnx"));
    float[] px = new float[28 * 28];
    Random r = new Random(9);
    for (int i = 0; i < px.length; i++) {
      px[i] = r.nextFloat();
    }
    try (StrictModel m = new StrictEngine().load(model, EngineLimits.DEFAULT)) {
      input = Map.of(m.inputs().getFirst().name(), Tensor.ofFloats(new long[] {1, 1, 28, 28}, px));
      InferenceResult res = m.run(input, RunOptions.WITH_TRACE);
      trace = res.trace().orElseThrow();
      output = TensorEncoding.digest(res.outputs());
    }
  }

  static Receipt receipt(Digest out, Digest root, long leaves) {
    return Receipt.builder()
        .model(Digest.of(Bytes.utf8("mnist")))
        .engine(
            StrictEngine.ID,
            StrictEngine.VERSION,
            Digest.of(Bytes.utf8("cfg")),
            NumericMode.BITWISE)
        .input(TensorEncoding.digest(input))
        .output(out)
        .trace(root, leaves)
        .node(EthAddress.parse("0x00000000000000000000000000000000000000aa"))
        .requestId("audit")
        .timeMillis(1L)
        .policy(VerificationPolicy.parse("sample:0.5"))
        .seed(0)
        .build();
  }

  @Test
  void audit_honestReceipt_matches() throws Exception {
    AuditResult a =
        StrictAudit.audit(
            model, input, receipt(output, trace.root(), trace.leafCount()), EngineLimits.DEFAULT);
    assertThat(a).isEqualTo(new AuditResult.Match(output, trace.root()));
  }

  @Test
  void audit_lyingTrace_mismatch_thenDisputeConvictsProvider() throws Exception {
    long j = 3;
    Tensor t = trace.open(j).tensor();
    byte[] d = t.data();
    d[5] ^= 0x10;
    TraceParty<TraceOpening> liar =
        StrictParties.lyingAbout(trace, j, Tensor.ofBytes(t.type(), t.shape(), d));
    Receipt lying = receipt(output, liar.root(), liar.leafCount());
    AuditResult a = StrictAudit.audit(model, input, lying, EngineLimits.DEFAULT);
    assertThat(a).isInstanceOf(AuditResult.Mismatch.class);
    AuditResult.Mismatch m = (AuditResult.Mismatch) a;
    assertThat(m.reason()).isEqualTo("trace root or leaf count differs");
    DisputeOutcome o =
        new DisputeGame<>(new StrictStepReferee(model, input, EngineLimits.DEFAULT))
            .play(
                liar,
                StrictParties.honest(m.auditorTrace()),
                lying.outputDigest(),
                m.auditorOutput());
    assertThat(((DisputeOutcome.Judged) o).verdict()).isEqualTo(Verdict.CHALLENGER_CORRECT);
    assertThat(((DisputeOutcome.Judged) o).leafIndex()).isEqualTo(j);
  }

  @Test
  void audit_wrongOutput_mismatch_andUntracedReceiptComparesOutputOnly() throws Exception {
    Digest wrong = Digest.of(Bytes.utf8("other"));
    AuditResult a =
        StrictAudit.audit(
            model, input, receipt(wrong, trace.root(), trace.leafCount()), EngineLimits.DEFAULT);
    assertThat(((AuditResult.Mismatch) a).reason()).isEqualTo("output digest differs");
    AuditResult untraced =
        StrictAudit.audit(model, input, receipt(output, Receipt.NO_TRACE, 0), EngineLimits.DEFAULT);
    assertThat(untraced).isInstanceOf(AuditResult.Match.class);
  }

  @Test
  void audit_inputsNotTheReceipts_throws() {
    Tensor other = Tensor.ofFloats(new long[] {1, 1, 28, 28}, new float[28 * 28]);
    Map<String, Tensor> in = Map.of(input.keySet().iterator().next(), other);
    assertThatThrownBy(
            () ->
                StrictAudit.audit(
                    model,
                    in,
                    receipt(output, trace.root(), trace.leafCount()),
                    EngineLimits.DEFAULT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("the receipt signed");
  }
}
