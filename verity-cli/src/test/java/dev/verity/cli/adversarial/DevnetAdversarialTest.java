package dev.verity.cli.adversarial;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verity.cli.devnet.AdversarialRun;
import dev.verity.cli.devnet.AdversarialStats;
import dev.verity.cli.devnet.Devnet;
import dev.verity.cli.devnet.NodeProcess;
import dev.verity.node.audit.CheatStrategy;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every cheating strategy as a real {@code verity node} process in one devnet run (Anvil, the
 * contracts, 4 honest node processes), a fresh cheating node per strategy configured by {@code
 * audit-cheat}, plus an auditor node configured to collude with the colluding-auditor provider.
 * Requests go through the routing client; the nodes audit, dispute, referee and get slashed on
 * their own. Asserts: no honest node accused, no honest answer disputed, every detected cheater
 * slashed its whole stake and banned, every dispute resolved, and detected counts within the
 * binomial 10^-4 tails of the stated P(detect) per strategy and pooled.
 *
 * <p>Sizes: 6 answers per cheating node at sample:0.5 (about 150 routed requests, 48 cheated
 * answers), chosen to keep the run within about 4 minutes on two busy cores; the in-process
 * AdversarialSuiteTest carries the larger samples.
 */
class DevnetAdversarialTest {
  static final int PER_CHEATER = 6;

  @TempDir Path tmp;

  static Path shared() {
    String s = System.getProperty("verity.shared");
    return s != null ? Path.of(s) : Path.of("../../shared");
  }

  @Test
  void everyStrategyAsANodeProcess_detectedAtStatedRate_slashed_noHonestNodeAccused()
      throws Exception {
    PrintWriter out = new PrintWriter(System.out, true);
    long t0 = System.nanoTime();
    List<CheatStrategy> all =
        Arrays.stream(CheatStrategy.values()).filter(s -> s != CheatStrategy.HONEST).toList();
    AdversarialRun.Result r;
    List<Long> pids;
    AdversarialRun.Options options =
        new AdversarialRun.Options(
            all, PER_CHEATER, new BigDecimal("0.5"), ETH.multiply(BigInteger.TWO), 7);
    try (Devnet net =
        Devnet.start(
            Devnet.Options.defaults(tmp.resolve("devnet"), shared()),
            AdversarialRun.extraNodes(options),
            out)) {
      r = AdversarialRun.run(net, options, out);
      pids = net.nodes().stream().map(NodeProcess::pid).toList();
      // Four honest nodes, one per strategy, one colluding auditor: each its own process.
      assertThat(pids).hasSize(4 + all.size() + 1).doesNotHaveDuplicates().allMatch(p -> p > 0);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf("devnet adversarial run: %.0f s in all%n", seconds);
    for (long pid : pids) {
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
          .as("node process %d stopped", pid)
          .isFalse();
    }

    assertThat(r.honestNodesAccused()).as("honest nodes falsely accused").isZero();
    assertThat(r.unslashedCheaters()).as("detected cheaters not slashed").isEmpty();
    assertThat(r.unresolved()).as("disputes left open").isEmpty();
    assertThat(r.falseAccusationsUpheld()).as("false accusations not cleared").isEmpty();
    assertThat(r.passed()).isTrue();
    int pooledN = 0;
    int pooledX = 0;
    for (AdversarialRun.Row row : r.rows()) {
      assertThat(row.falselyAccused()).as("%s: honest answers disputed", row.label()).isZero();
      assertThat(row.detected()).as(row.label()).isLessThanOrEqualTo(row.audited());
      if (row.strategy().equals(Optional.of(CheatStrategy.LYING_AUDITOR))) {
        // Serves honestly; every honest receipt it was drawn for it disputes, and loses.
        assertThat(row.served()).as("lying auditor served").isPositive();
        assertThat(row.cheated()).isZero();
        assertThat(row.audited()).as("honest answers the liar was drawn for").isPositive();
        assertThat(row.accusationsCleared())
            .as("the liar's accusations, all cleared by the referees")
            .isEqualTo(row.audited());
        assertThat(row.slashedWei()).as("a failed accusation costs a bond, not stake").isZero();
        continue;
      }
      if (row.strategy().isEmpty()) {
        // The honest nodes (and the colluder, an honest provider): audited, never caught.
        assertThat(row.cheated()).isZero();
        assertThat(row.detected()).isZero();
        assertThat(row.slashedWei()).isZero();
        assertThat(row.audited()).as("honest answers audited").isPositive();
        assertThat(row.auditsRecorded()).as("honest answers in the nodes' findings").isPositive();
        continue;
      }
      assertThat(row.served()).as(row.label() + " served").isPositive();
      assertThat(row.cheated()).as(row.label() + " cheated").isPositive();
      if (row.detected() > 0) {
        assertThat(row.banned()).as(row.label() + " banned").isTrue();
        assertThat(row.slashedWei())
            .as(row.label() + " slashed")
            .isEqualTo(ETH.multiply(BigInteger.TWO));
      }
      assertThat(row.tail())
          .as(
              "%s: %d of %d detected is implausible at stated P(detect) %.3f",
              row.label(), row.detected(), row.auditable(), row.statedDetect())
          .isGreaterThan(AdversarialStats.TAIL);
      if (row.strategy().get() != CheatStrategy.COLLUDING_AUDITOR) {
        pooledN += row.auditable();
        pooledX += row.detected();
      }
    }
    assertThat(pooledN).as("cheated answers anchored before a ban").isGreaterThan(20);
    assertThat(AdversarialStats.smallerTail(pooledX, pooledN, 0.5))
        .as("pooled: %d of %d detected at stated 0.5", pooledX, pooledN)
        .isGreaterThan(AdversarialStats.TAIL);
    System.out.printf(
        "pooled honest-auditor rows: %d of %d detected (%.3f, stated 0.500)%n",
        pooledX, pooledN, pooledX / (double) pooledN);
  }

  static final BigInteger ETH = BigInteger.TEN.pow(18);
}
