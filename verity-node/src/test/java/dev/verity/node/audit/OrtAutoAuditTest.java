package dev.verity.node.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.verity.core.Digest;
import dev.verity.engine.EngineLimits;
import dev.verity.engine.LoadedModel;
import dev.verity.engine.RunOptions;
import dev.verity.engine.TensorEncoding;
import dev.verity.engine.ort.OrtEngine;
import dev.verity.node.audit.AuditChain.Provider;
import dev.verity.receipt.SignedReceipt;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ORT receipts audited by the nodes themselves, on Anvil with real ONNX Runtime and mnist-7: three
 * provider nodes of three operators (one honest, one under {@code wrong-output}, one under the
 * one-ulp {@code output-noise}) serve a {@code sample:1} ORT request over loopback and anchor their
 * logs; every node runs the {@link AutoAuditor}. The drawn auditor of each receipt fetches its
 * bundle, re-runs the pinned ORT and compares within tolerance: the honest and the one-ulp receipts
 * agree, the wrong output is detected, and no dispute is opened on the chain for any of them.
 */
class OrtAutoAuditTest {
  @TempDir static Path dir;
  static AuditChain chain;

  @BeforeAll
  static void start() throws Exception {
    chain = new AuditChain(dir);
  }

  @AfterAll
  static void stop() throws Exception {
    if (chain != null) {
      chain.close();
    }
  }

  static Digest honestOrt(long seed) throws Exception {
    try (LoadedModel m =
        new OrtEngine()
            .load(
                NodeCheatTest.shared().resolve("models/mnist/mnist-7.onnx"),
                EngineLimits.DEFAULT)) {
      return TensorEncoding.digest(
          m.run(DisputeResponderTest.input(seed), RunOptions.DEFAULT).outputs());
    }
  }

  @Test
  void ortReceipts_auditedWithinTolerance_wrongOutputDetected_oneUlpAgrees_noDispute()
      throws Exception {
    Provider honest = chain.provider("honest", 1, null);
    Provider wrong = chain.provider("wrong", 2, "wrong-output");
    Provider noisy = chain.provider("noisy", 3, "output-noise");
    Provider bystander = chain.provider("bystander", 4, null);
    List<AutoAuditor> auditors = new ArrayList<>();
    int acct = 1;
    for (Provider p : List.of(honest, wrong, noisy, bystander)) {
      auditors.add(chain.auditor(p, acct++, new DisputeEvidence()));
    }
    for (AutoAuditor a : auditors) {
      a.start(Duration.ofMillis(150));
    }
    SignedReceipt h = chain.serveAndAnchor(honest, OrtEngine.ID, "ort-honest", 41);
    SignedReceipt w = chain.serveAndAnchor(wrong, OrtEngine.ID, "ort-wrong", 42);
    SignedReceipt n = chain.serveAndAnchor(noisy, OrtEngine.ID, "ort-noisy", 43);
    for (SignedReceipt r : List.of(h, w, n)) {
      assertThat(r.receipt().engineId()).isEqualTo(OrtEngine.ID);
      assertThat(r.receipt().traceLeaves()).isZero(); // nothing to bisect
    }
    // The cheats changed what was served: those receipts sign tampered outputs.
    assertThat(w.receipt().outputDigest()).isNotEqualTo(honestOrt(42));
    assertThat(n.receipt().outputDigest()).isNotEqualTo(honestOrt(43));
    assertThat(h.receipt().outputDigest()).isEqualTo(honestOrt(41));

    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              chain.anvil.mine(); // the draw needs the block after the anchor
              return findings(auditors).size() >= 3;
            });
    List<AutoAuditor.Audit> all = findings(auditors);
    assertThat(all).hasSize(3);
    assertThat(finding(all, "ort-honest").finding())
        .isEqualTo(AutoAuditor.Finding.WITHIN_TOLERANCE);
    assertThat(finding(all, "ort-noisy").finding()).isEqualTo(AutoAuditor.Finding.WITHIN_TOLERANCE);
    AutoAuditor.Audit detected = finding(all, "ort-wrong");
    assertThat(detected.finding()).isEqualTo(AutoAuditor.Finding.EXCEEDED_TOLERANCE);
    assertThat(detected.node()).isEqualTo(wrong.key().address());
    assertThat(detected.detail()).contains("output ");
    // Each receipt was audited by a node of another operator.
    for (int i = 0; i < auditors.size(); i++) {
      for (AutoAuditor.Audit a : auditors.get(i).findings()) {
        assertThat(a.node())
            .isNotEqualTo(List.of(honest, wrong, noisy, bystander).get(i).key().address());
      }
    }
    // No bisection dispute over an ORT receipt: DisputeManager logged nothing.
    assertThat(auditors.stream().mapToInt(AutoAuditor::openDisputes).sum()).isZero();
    long latest = chain.blockNumber();
    assertThat(new ChainLogs(URI.create(chain.anvil.rpcUrl())).logs(chain.dm.toString(), 0, latest))
        .isEmpty();
  }

  static List<AutoAuditor.Audit> findings(List<AutoAuditor> auditors) {
    return auditors.stream().flatMap(a -> a.findings().stream()).toList();
  }

  static AutoAuditor.Audit finding(List<AutoAuditor.Audit> all, String requestId) {
    return all.stream().filter(a -> a.requestId().equals(requestId)).findFirst().orElseThrow();
  }
}
