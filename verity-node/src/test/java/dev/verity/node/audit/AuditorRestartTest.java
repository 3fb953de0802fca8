package dev.verity.node.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.verity.core.Bytes;
import dev.verity.engine.strict.StrictEngine;
import dev.verity.node.audit.AuditChain.Provider;
import dev.verity.node.http.Json;
import dev.verity.node.inference.InferenceService;
import dev.verity.receipt.ReceiptKey;
import dev.verity.receipt.SignedReceipt;
import dev.verity.receipt.VerificationPolicy;
import dev.verity.settlement.NodeInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The autonomous auditor survives a restart. On Anvil with mnist-7: a node under {@code
 * wrong-output} serves a strict sample:1 request; the drawn auditor opens a dispute and makes its
 * first move; then every auditor is stopped and new ones are built from the same state files (as a
 * restarted node does). The restarted auditor has its dispute back, serves its evidence again, does
 * not audit the receipt a second time although it rescans the chain, and wins the dispute by the
 * provider's timeout: the cheater is slashed and banned. Without the state, the dispute would be
 * abandoned (nobody claims the timeout) and the receipt audited again.
 */
class AuditorRestartTest {
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
  void restartedAuditor_keepsItsOpenDispute_winsIt_andAuditsNothingTwice() throws Exception {
    Provider cheater = chain.provider("strict-cheater", 6, "wrong-output");
    List<Provider> honest = new ArrayList<>();
    for (int acct = 1; acct <= 3; acct++) {
      honest.add(chain.provider("auditor-" + acct, acct, null));
    }
    List<Path> states = new ArrayList<>();
    List<AutoAuditor> before = new ArrayList<>();
    for (int i = 0; i < honest.size(); i++) {
      states.add(dir.resolve("auditor-" + (i + 1)).resolve("audit").resolve("auditor.json"));
      before.add(chain.auditor(honest.get(i), i + 1, states.get(i), new DisputeEvidence()));
    }
    before.forEach(a -> a.start(Duration.ofMillis(150)));
    SignedReceipt receipt = chain.serveAndAnchor(cheater, StrictEngine.ID, "strict-cheat", 61);
    // The drawn auditor opens the dispute and plays its first move.
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              chain.anvil.mine();
              return before.stream().mapToInt(AutoAuditor::openDisputes).sum() == 1
                  && stateMoved(states);
            });
    int drawn = -1;
    for (int i = 0; i < before.size(); i++) {
      if (before.get(i).openDisputes() == 1) {
        drawn = i;
      }
    }
    AutoAuditor.Audit finding = before.get(drawn).findings().getFirst();
    assertThat(finding.finding()).isEqualTo(AutoAuditor.Finding.MISMATCH_DISPUTED);
    assertThat(finding.receiptId()).isEqualTo(receipt.id());
    String disputeHex = finding.detail().substring(finding.detail().lastIndexOf(' ') + 1);

    // The node goes down: its auditor stops mid-dispute. Blocks go on being mined meanwhile.
    before.forEach(AutoAuditor::close);
    chain.anvil.mine();
    chain.anvil.mine();

    // The worst moment for a crash: the move was sent but not yet recorded. Drop the recorded
    // round from the drawn auditor's file; it must find out from the chain that it already moved.
    Path drawnState = states.get(drawn);
    com.fasterxml.jackson.databind.node.ObjectNode st =
        (com.fasterxml.jackson.databind.node.ObjectNode)
            Json.MAPPER.readTree(Files.readAllBytes(drawnState));
    ((com.fasterxml.jackson.databind.node.ObjectNode) st.path("disputes").get(0))
        .remove("movedRound");
    Files.write(drawnState, Json.MAPPER.writeValueAsBytes(st));

    // Restart: new auditors (and new, empty evidence servers) from the same state files.
    List<DisputeEvidence> evidence = new ArrayList<>();
    List<AutoAuditor> after = new ArrayList<>();
    for (int i = 0; i < honest.size(); i++) {
      evidence.add(new DisputeEvidence());
      after.add(chain.auditor(honest.get(i), i + 1, states.get(i), evidence.get(i)));
    }
    AutoAuditor resumed = after.get(drawn);
    assertThat(resumed.openDisputes()).isEqualTo(1);
    assertThat(resumed.audits()).isEqualTo(1);
    assertThat(resumed.findings()).containsExactly(finding);
    assertThat(evidence.get(drawn).offers(Bytes.fromHex(disputeHex))).isTrue();
    after.forEach(a -> a.start(Duration.ofMillis(150)));

    // The cheater serves an unaudited request and anchors its grown log; blocks keep coming. The
    // auditors read the new checkpoint from where they stopped: nobody audits the first again.
    cheater
        .inference()
        .infer(
            new InferenceService.Request(
                "mnist@7",
                StrictEngine.ID,
                DisputeResponderTest.input(62),
                VerificationPolicy.NONE,
                Optional.of("strict-unaudited")));
    chain.anchor(cheater);
    for (int i = 0; i < 6; i++) {
      chain.anvil.mine();
      Thread.sleep(200);
    }
    // The cheater cannot reproduce its trace and never moves; the resumed auditor claims the win.
    chain.timeOutAndAwaitBan(cheater.key().address());
    NodeInfo n = chain.registry().node(cheater.key().address()).orElseThrow();
    assertThat(n.stakeWei()).isZero();
    await().atMost(Duration.ofSeconds(10)).until(() -> resumed.openDisputes() == 0);
    // Audited once in all, before the restart: the resumed auditors added no audit.
    assertThat(after.stream().mapToInt(AutoAuditor::audits).sum()).isEqualTo(1);
    assertThat(after.stream().flatMap(a -> a.findings().stream()).toList())
        .containsExactly(finding);
    for (Provider h : honest) {
      assertThat(chain.registry().node(h.key().address()).orElseThrow().banned()).isFalse();
    }
    after.forEach(AutoAuditor::close);
    JsonNode saved = Json.MAPPER.readTree(Files.readAllBytes(states.get(drawn)));
    assertThat(saved.path("format").asText()).isEqualTo(AutoAuditor.STATE_FORMAT);
    assertThat(saved.path("disputes")).isEmpty();
    assertThat(saved.path("findings")).hasSize(1);
  }

  /**
   * The dispute is recorded before its open transaction is sent. Here the send fails (the
   * operator's account cannot pay the bond) and the node goes down before it tries again: the
   * restarted auditor finds the recorded dispute unknown to the chain, opens it, and wins it.
   */
  @Test
  void disputeRecordedButNeverOpened_isOpenedByTheRestartedAuditor_andWon() throws Exception {
    Provider cheater = chain.provider("unopened-cheater", 7, "wrong-output");
    Provider honest = chain.provider("unopened-auditor", 4, null);
    String operator = AuditChain.key(4).address().toString();
    Path state = dir.resolve("unopened-auditor").resolve("audit").resolve("auditor.json");
    SignedReceipt lie =
        cheater
            .inference()
            .infer(
                new InferenceService.Request(
                    "mnist@7",
                    StrictEngine.ID,
                    DisputeResponderTest.input(63),
                    VerificationPolicy.parse("replicate:2"),
                    Optional.of("unopened-1")))
            .receipt()
            .receipt();
    chain.anvil.rpc("anvil_setBalance", "[\"" + operator + "\", \"0x0\"]");
    AutoAuditor first = chain.auditor(honest, 4, state, new DisputeEvidence());
    AutoAuditor.Audit finding = first.challenge(cheater.url(), "unopened-1");
    assertThat(finding.finding()).isEqualTo(AutoAuditor.Finding.MISMATCH_DISPUTED);
    assertThat(finding.receiptId()).isEqualTo(lie.id());
    Bytes id = Bytes.fromHex(finding.detail().substring(finding.detail().lastIndexOf(' ') + 1));
    assertThat(first.openDisputes()).isEqualTo(1);
    try (var view = chain.disputes(4)) {
      assertThatThrownBy(() -> view.dispute(id)).hasMessageContaining("UnknownDispute");
    }
    first.close();

    // Funds arrive; the node comes back from its state file and opens the recorded dispute.
    chain.anvil.rpc(
        "anvil_setBalance", "[\"" + operator + "\", \"0x21e19e0c9bab2400000\"]"); // 10,000 ETH
    AutoAuditor resumed = chain.auditor(honest, 4, state, new DisputeEvidence());
    assertThat(resumed.openDisputes()).isEqualTo(1);
    resumed.start(Duration.ofMillis(150));
    try (var view = chain.disputes(4)) {
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> AuditorRestartTest.stateMoved(List.of(state)));
      assertThat(view.dispute(id).challenger()).isEqualTo(AuditChain.key(4).address());
    }
    chain.timeOutAndAwaitBan(cheater.key().address());
    assertThat(resumed.findings()).containsExactly(finding);
    resumed.close();
  }

  @Test
  void damagedState_isRefused_namingTheFile() throws Exception {
    // Not registered: a registered node that runs no auditor could be drawn in the other test.
    Provider p =
        new Provider(null, null, null, ReceiptKey.generate(new SecureRandom()), null, null);
    Path state = dir.resolve("damaged-state.json");
    Files.writeString(state, "{\"format\":\"verity-auditor-state/v1\",\"waiting\":[]}");
    assertThatThrownBy(() -> chain.auditor(p, 5, state, new DisputeEvidence()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(state.toString())
        .hasMessageContaining("missing 'fromBlock'");
    Files.writeString(state, "{\"format\":\"something-else\"}");
    assertThatThrownBy(() -> chain.auditor(p, 5, state, new DisputeEvidence()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("expected verity-auditor-state/v1");
  }

  /** Some state file records an open dispute with this node's first move made. */
  static boolean stateMoved(List<Path> states) throws IOException {
    for (Path p : states) {
      if (Files.exists(p)) {
        for (JsonNode d : Json.MAPPER.readTree(Files.readAllBytes(p)).path("disputes")) {
          if (d.has("movedRound")) {
            return true;
          }
        }
      }
    }
    return false;
  }
}
