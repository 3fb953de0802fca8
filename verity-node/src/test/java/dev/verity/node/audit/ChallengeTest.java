package dev.verity.node.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.verity.engine.strict.StrictEngine;
import dev.verity.node.audit.AuditChain.Provider;
import dev.verity.node.inference.InferenceService;
import dev.verity.receipt.SignedReceipt;
import dev.verity.receipt.VerificationPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An audit on request ({@link AutoAuditor#challenge}), as a replica's operator runs it after a
 * replicate:k disagreement: on Anvil with mnist-7, two nodes of two operators answer the same
 * strict replicate:2 request, one under {@code output-noise}. The honest node's auditor re-executes
 * the other's receipt, disputes it and wins by timeout; the cheater's auditor, asked about the
 * honest receipt, finds a match. No draw is involved: these receipts are not sample:p.
 */
class ChallengeTest {
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

  @Test
  void challenge_onRequest_disputesAWrongStrictReceipt_andClearsAnHonestOne() throws Exception {
    // Not sample:p, so no draw ever audits these: only a challenge does.
    Provider liar = chain.provider("replica-liar", 7, "output-noise");
    Provider honest = chain.provider("replica-honest", 8, null);
    InferenceService.Request req =
        new InferenceService.Request(
            "mnist@7",
            StrictEngine.ID,
            DisputeResponderTest.input(71),
            VerificationPolicy.parse("replicate:2"),
            Optional.of("replica-1"));
    SignedReceipt lie = liar.inference().infer(req).receipt().receipt();
    SignedReceipt truth = honest.inference().infer(req).receipt().receipt();
    assertThat(lie.receipt().outputDigest()).isNotEqualTo(truth.receipt().outputDigest());

    AutoAuditor honestAuditor =
        chain.auditor(honest, 8, dir.resolve("replica-honest-state.json"), new DisputeEvidence());
    AutoAuditor liarAuditor =
        chain.auditor(liar, 7, dir.resolve("replica-liar-state.json"), new DisputeEvidence());
    AutoAuditor.Audit caught = honestAuditor.challenge(liar.url(), "replica-1");
    assertThat(caught.finding()).isEqualTo(AutoAuditor.Finding.MISMATCH_DISPUTED);
    assertThat(caught.receiptId()).isEqualTo(lie.id());
    assertThat(honestAuditor.openDisputes()).isEqualTo(1);
    // The same receipt again: the earlier finding, no second dispute.
    assertThat(honestAuditor.challenge(liar.url(), "replica-1")).isEqualTo(caught);
    assertThat(honestAuditor.openDisputes()).isEqualTo(1);
    // The liar's own auditor re-executes honestly: the honest receipt stands.
    assertThat(liarAuditor.challenge(honest.url(), "replica-1").finding())
        .isEqualTo(AutoAuditor.Finding.MATCH);
    assertThat(liarAuditor.openDisputes()).isZero();
    // An own-operator receipt is refused.
    assertThatThrownBy(() -> honestAuditor.challenge(honest.url(), "replica-1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("own node");

    // Played to the end: the liar cannot move from a trace it cannot rebuild; timeout.
    honestAuditor.start(Duration.ofMillis(150));
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              chain.anvil.mine();
              return AuditorRestartTest.stateMoved(
                  List.of(dir.resolve("replica-honest-state.json")));
            });
    chain.timeOutAndAwaitBan(liar.key().address());
    assertThat(chain.registry().node(honest.key().address()).orElseThrow().banned()).isFalse();
    honestAuditor.close();
  }
}
