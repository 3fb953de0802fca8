package dev.verity.log.witness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.log.TestKeys;
import dev.verity.log.TransparencyLog;
import dev.verity.log.bundle.ReceiptBundle;
import dev.verity.log.bundle.ReceiptLog;
import dev.verity.log.note.NoteSigner;
import dev.verity.log.note.NoteVerificationException;
import dev.verity.log.verify.BundleVerifier;
import dev.verity.log.verify.MissingCosignatureException;
import dev.verity.receipt.ReceiptFixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node's log, a witness on another node, and a client that requires the witness. */
class WitnessFlowTest {
  @TempDir Path dir;

  @Test
  void logWitnessClient_cosignedBundleVerifiesOnlyAfterWitnessing() throws Exception {
    NoteSigner logKey = TestKeys.logSigner();
    NoteSigner wKey = TestKeys.witnessSigner("witness.verity.test/w1");
    Witness witness =
        new Witness(
            dir.resolve("witness"),
            wKey,
            Map.of(logKey.name(), logKey.verifierKey()),
            Clock.fixed(Instant.ofEpochSecond(1_764_000_000L), ZoneOffset.UTC));
    try (ReceiptLog log =
        ReceiptLog.open(dir.resolve("log"), TransparencyLog.Options.defaults(logKey))) {
      for (int i = 0; i < 3; i++) {
        log.log().append(("x" + i).getBytes(StandardCharsets.UTF_8)).join();
      }
      ReceiptBundle fresh = log.append(ReceiptFixtures.goldenSigned());
      assertThatThrownBy(
              () -> BundleVerifier.verify(fresh, logKey.verifierKey(), List.of(wKey.verifierKey())))
          .isInstanceOf(MissingCosignatureException.class);

      String checkpoint = log.log().checkpoint().encode();
      long size = log.log().checkpoint().checkpoint().size();
      AddCheckpointResult r =
          witness.addCheckpoint(
              WitnessProtocol.requestBody(log.log().consistencyProof(0, size), checkpoint));
      assertThat(r.status()).isEqualTo(200);
      log.recordCosigned(WitnessProtocol.addCosignatures(checkpoint, r.body()));

      ReceiptBundle witnessed = log.bundle(fresh.logIndex());
      var v = BundleVerifier.verify(witnessed, logKey.verifierKey(), List.of(wKey.verifierKey()));
      assertThat(v.witnesses()).containsExactly(wKey.name());

      // Next round: the log grew, the witness needs a proof from the size it cosigned.
      log.log().append("y".getBytes(StandardCharsets.UTF_8)).join();
      String next = log.log().checkpoint().encode();
      long nextSize = log.log().checkpoint().checkpoint().size();
      AddCheckpointResult stale =
          witness.addCheckpoint(
              WitnessProtocol.requestBody(log.log().consistencyProof(0, nextSize), next));
      assertThat(stale).isEqualTo(new AddCheckpointResult.Conflict(size));
      AddCheckpointResult ok =
          witness.addCheckpoint(
              WitnessProtocol.requestBody(log.log().consistencyProof(size, nextSize), next));
      assertThat(ok.status()).isEqualTo(200);
      log.recordCosigned(WitnessProtocol.addCosignatures(next, ok.body()));
      assertThat(log.bundle(fresh.logIndex()).checkpoint())
          .contains(wKey.name())
          .contains("\n" + nextSize + "\n");

      assertThatThrownBy(() -> log.bundle(0))
          .isInstanceOf(dev.verity.receipt.ReceiptFormatException.class)
          .hasMessageContaining("log entry 0 is not a receipt");
      // A checkpoint that is not this log's view is refused.
      String foreign =
          dev.verity.log.note.SignedCheckpoint.sign(
                  new dev.verity.log.note.Checkpoint(
                      logKey.name(), 2, dev.verity.log.Rfc9162.EMPTY_ROOT),
                  logKey)
              .encode();
      assertThatThrownBy(() -> log.recordCosigned(foreign))
          .isInstanceOf(NoteVerificationException.class);
    }
  }
}
