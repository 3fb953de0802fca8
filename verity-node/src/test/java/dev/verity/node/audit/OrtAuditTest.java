package dev.verity.node.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.engine.EngineLimits;
import dev.verity.engine.LoadedModel;
import dev.verity.engine.NumericMode;
import dev.verity.engine.RunOptions;
import dev.verity.engine.Tensor;
import dev.verity.engine.TensorEncoding;
import dev.verity.engine.ort.OrtEngine;
import dev.verity.engine.ort.OrtTolerance;
import dev.verity.engine.strict.StrictEngine;
import dev.verity.engine.strict.StrictModel;
import dev.verity.receipt.Receipt;
import dev.verity.receipt.VerificationPolicy;
import dev.verity.receipt.eth.EthAddress;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** ORT receipts are audited within the published tolerance, with the real mnist-7 model. */
class OrtAuditTest {
  static Path model;
  static Map<String, Tensor> in;
  static Map<String, Tensor> ort;
  static Map<String, Tensor> strict;

  @BeforeAll
  static void run() throws Exception {
    model = NodeCheatTest.shared().resolve("models/mnist/mnist-7.onnx");
    in = NodeCheatTest.input();
    try (LoadedModel m = new OrtEngine().load(model, EngineLimits.DEFAULT)) {
      ort = m.run(in, RunOptions.DEFAULT).outputs();
    }
    try (StrictModel m = new StrictEngine().load(NodeCheatTest.model(), EngineLimits.DEFAULT)) {
      strict = m.run(in, RunOptions.DEFAULT).outputs();
    }
  }

  static Receipt receipt(Map<String, Tensor> outputs) {
    return Receipt.builder()
        .model(Digest.of(Bytes.utf8("mnist-7 manifest")))
        .engine(OrtEngine.ID, "1.29.0", Digest.of(Bytes.utf8("pinned")), NumericMode.TOLERANCE)
        .input(TensorEncoding.digest(in))
        .output(TensorEncoding.digest(outputs))
        .node(EthAddress.ZERO)
        .requestId("ort-audit")
        .timeMillis(1_764_000_000_000L)
        .policy(VerificationPolicy.parse("sample:0.5"))
        .seed(0)
        .build();
  }

  static Map<String, Tensor> nudged(Map<String, Tensor> outputs, boolean oneUlp) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : outputs.entrySet()) {
      Tensor t = e.getValue();
      float[] v = t.toFloats();
      v[3] = oneUlp ? Math.nextUp(v[3]) : v[3] + 0.5f;
      out.put(e.getKey(), Tensor.ofFloats(t.shape(), v));
    }
    return out;
  }

  static OrtAudit.Result audit(Map<String, Tensor> claimed) throws Exception {
    return OrtAudit.audit(model, in, claimed, receipt(claimed), OrtTolerance.DEFAULT);
  }

  @Test
  void honestOrt_andStrictBits_areWithinTolerance() throws Exception {
    assertThat(audit(ort)).isInstanceOf(OrtAudit.Result.Within.class);
    assertThat(audit(strict)).isInstanceOf(OrtAudit.Result.Within.class);
  }

  @Test
  void wrongElement_exceeds_namingTheOutput() throws Exception {
    OrtAudit.Result r = audit(nudged(ort, false));
    assertThat(r).isInstanceOf(OrtAudit.Result.Exceeded.class);
    assertThat(((OrtAudit.Result.Exceeded) r).reason()).contains("output ");
  }

  /** The price of tolerance: a one-ulp cheat on an ORT receipt cannot be told from noise. */
  @Test
  void oneUlpNoise_passesTolerance_soOrtCannotCatchIt() throws Exception {
    assertThat(audit(nudged(ort, true))).isInstanceOf(OrtAudit.Result.Within.class);
  }

  @Test
  void receiptOfAnotherOrtVersion_isRefused_notGuessed() throws Exception {
    Receipt other =
        Receipt.builder()
            .model(Digest.of(Bytes.utf8("mnist-7 manifest")))
            .engine(OrtEngine.ID, "1.18.0", Digest.of(Bytes.utf8("pinned")), NumericMode.TOLERANCE)
            .input(TensorEncoding.digest(in))
            .output(TensorEncoding.digest(ort))
            .node(EthAddress.ZERO)
            .requestId("ort-old")
            .timeMillis(1_764_000_000_000L)
            .policy(VerificationPolicy.parse("sample:0.5"))
            .seed(0)
            .build();
    assertThatThrownBy(() -> OrtAudit.audit(model, in, ort, other, OrtTolerance.DEFAULT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1.18.0")
        .hasMessageContaining("pinned 1.29.0");
  }

  @Test
  void outputsNotTheSigned_exceed_andStrictReceipt_isRefused() throws Exception {
    OrtAudit.Result r =
        OrtAudit.audit(model, in, nudged(ort, false), receipt(ort), OrtTolerance.DEFAULT);
    assertThat(((OrtAudit.Result.Exceeded) r).reason()).contains("but the receipt signs");
    Receipt s =
        Receipt.builder()
            .model(Digest.of(Bytes.utf8("m")))
            .engine(
                StrictEngine.ID,
                StrictEngine.VERSION,
                Digest.of(Bytes.utf8("c")),
                NumericMode.BITWISE)
            .input(TensorEncoding.digest(in))
            .output(TensorEncoding.digest(strict))
            .node(EthAddress.ZERO)
            .requestId("s")
            .timeMillis(1L)
            .policy(VerificationPolicy.NONE)
            .seed(0)
            .build();
    assertThatThrownBy(() -> OrtAudit.audit(model, in, strict, s, OrtTolerance.DEFAULT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("this audit re-executes ORT receipts");
  }
}
