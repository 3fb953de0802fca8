package dev.verity.node.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verity.audit.draw.AuditOutcome;
import dev.verity.audit.draw.Candidate;
import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.engine.NumericMode;
import dev.verity.engine.strict.StrictEngine;
import dev.verity.receipt.Receipt;
import dev.verity.receipt.ReceiptDomain;
import dev.verity.receipt.ReceiptKey;
import dev.verity.receipt.SignedReceipt;
import dev.verity.receipt.VerificationPolicy;
import dev.verity.receipt.eth.EthAddress;
import dev.verity.settlement.NodeInfo;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The draw names only auditors that sent a heartbeat within {@link SampledAudit#AUDITOR_LIVENESS}
 * before the anchor block's time: a crashed node that stays registered is not drawn to audit.
 */
class AuditorLivenessTest {
  static final Digest MODEL = Digest.of(Bytes.utf8("model"));
  static final Instant ANCHOR_TIME = Instant.parse("2026-11-25T12:00:00Z");

  static EthAddress addr(int i) {
    byte[] b = new byte[20];
    b[18] = (byte) (i >> 8);
    b[19] = (byte) i;
    return new EthAddress(Bytes.copyOf(b));
  }

  static NodeInfo node(int id, int operator, Instant heartbeat) {
    return new NodeInfo(
        addr(100 + id),
        addr(operator),
        "http://127.0.0.1:" + (9000 + id),
        BigInteger.TEN.pow(18),
        BigInteger.ZERO,
        Instant.EPOCH,
        Instant.EPOCH,
        heartbeat,
        false,
        List.of(MODEL));
  }

  @Test
  void candidates_excludeNodesSilentForLongerThanTheLivenessWindow() {
    Instant edge = ANCHOR_TIME.minus(SampledAudit.AUDITOR_LIVENESS);
    List<NodeInfo> registry =
        List.of(
            node(1, 1, ANCHOR_TIME.minusSeconds(30)),
            node(2, 2, edge),
            node(3, 3, edge.minusSeconds(1)),
            node(4, 4, Instant.EPOCH));
    assertThat(SampledAudit.candidates(registry, MODEL, ANCHOR_TIME))
        .extracting(Candidate::node)
        .containsExactly(addr(101), addr(102));
    // Without a time (stake shares for stated probabilities) every staked server counts.
    assertThat(SampledAudit.candidates(registry, MODEL)).hasSize(4);
  }

  @Test
  void draw_whoseOnlyOtherOperatorIsSilent_hasNoAuditor_andNamesItOnceItHeartbeats() {
    ReceiptKey provider = ReceiptKey.generate(new SecureRandom());
    Receipt r =
        Receipt.builder()
            .model(MODEL)
            .engine(
                StrictEngine.ID,
                StrictEngine.VERSION,
                Digest.of(Bytes.utf8("config")),
                NumericMode.BITWISE)
            .input(Digest.of(Bytes.utf8("in")))
            .output(Digest.of(Bytes.utf8("out")))
            .trace(Digest.of(Bytes.utf8("trace")), 7)
            .node(provider.address())
            .requestId("liveness-1")
            .timeMillis(ANCHOR_TIME.toEpochMilli())
            .policy(VerificationPolicy.parse("sample:1"))
            .seed(0)
            .build();
    SignedReceipt sr = SignedReceipt.sign(r, ReceiptDomain.DEVNET, provider);
    NodeInfo providerNode =
        new NodeInfo(
            provider.address(),
            addr(1),
            "http://127.0.0.1:9100",
            BigInteger.TEN.pow(18),
            BigInteger.ZERO,
            Instant.EPOCH,
            Instant.EPOCH,
            ANCHOR_TIME,
            false,
            List.of(MODEL));
    Bytes hash = Bytes.copyOf(new byte[32]);
    Duration silentFor = SampledAudit.AUDITOR_LIVENESS.plusMinutes(1);
    AuditOutcome silent =
        SampledAudit.draw(
            sr,
            List.of(providerNode, node(2, 2, ANCHOR_TIME.minus(silentFor))),
            10,
            ANCHOR_TIME,
            11,
            hash,
            5_000);
    assertThat(silent).isInstanceOf(AuditOutcome.NoAuditorAvailable.class);
    AuditOutcome live =
        SampledAudit.draw(
            sr,
            List.of(providerNode, node(2, 2, ANCHOR_TIME.minusSeconds(5))),
            10,
            ANCHOR_TIME,
            11,
            hash,
            5_000);
    assertThat(live)
        .isInstanceOfSatisfying(
            AuditOutcome.Audited.class, a -> assertThat(a.auditor().node()).isEqualTo(addr(102)));
  }
}
