package dev.verity.node.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verity.audit.draw.AuditOutcome;
import dev.verity.engine.strict.StrictEngine;
import dev.verity.node.audit.AuditChain.Provider;
import dev.verity.node.inference.InferenceService;
import dev.verity.receipt.SignedReceipt;
import dev.verity.receipt.VerificationPolicy;
import dev.verity.receipt.eth.EthAddress;
import dev.verity.settlement.evm.EvmSettlement;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Hash;

/**
 * Who audits is fixed by the registry as of the anchor block, not by the registry when each node
 * happens to poll. On Anvil with mnist-7: a node serves a strict sample:1 request and anchors its
 * log in block a; the draw over the registry as of a names one of two auditor nodes. Before any
 * auditor polls, that node is banned and a node of a new operator registers, so a draw over the
 * registry as it is now names someone else. Every auditor (the new node's too) then polls: the node
 * drawn as of block a audits the receipt, exactly once, and nobody else does.
 */
class DrawAtAnchorBlockTest {
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
  void registryChangeBetweenAnchorAndPoll_doesNotChangeWhoAudits() throws Exception {
    Provider provider = chain.provider("provider", 6, null);
    List<Provider> before = List.of(chain.provider("n1", 1, null), chain.provider("n2", 2, null));
    SignedReceipt receipt =
        provider
            .inference()
            .infer(
                new InferenceService.Request(
                    "mnist@7",
                    StrictEngine.ID,
                    DisputeResponderTest.input(81),
                    VerificationPolicy.parse("sample:1"),
                    Optional.of("drawn-at-anchor")))
            .receipt()
            .receipt();
    long size = provider.issuer().log().size();
    long anchorBlock =
        provider
            .operator()
            .anchorCheckpoint(
                provider.key().address(), size, provider.issuer().log().rootHash(size))
            .blockNumber();
    chain.anvil.mine();

    EvmSettlement registry = chain.registry();
    EthAddress drawn = auditorOf(receipt, registry, anchorBlock, anchorBlock);
    Provider victim =
        before.stream().filter(p -> p.key().address().equals(drawn)).findFirst().get();

    // After the anchor, before any poll: the drawn node is banned, another operator's node joins.
    registry.setSlasher(AuditChain.key(9).address(), true); // registry: the owner's account
    ban(AuditChain.key(9).address(), drawn);
    Provider joined = chain.provider("n3", 3, null);
    assertThat(registry.node(drawn).orElseThrow().banned()).isTrue();
    long now = chain.blockNumber();
    assertThat(auditorOf(receipt, registry, anchorBlock, now))
        .as("a draw over the registry as it is now names another node")
        .isNotEqualTo(drawn);

    List<AutoAuditor> auditors = new ArrayList<>();
    for (Provider p : List.of(before.get(0), before.get(1), joined)) {
      int acct = p == joined ? 3 : before.indexOf(p) + 1;
      auditors.add(chain.auditor(p, acct, new DisputeEvidence()));
    }
    for (int round = 0; round < 2; round++) {
      for (AutoAuditor a : auditors) {
        a.poll();
      }
      chain.anvil.mine();
    }

    AutoAuditor drawnAuditor = auditors.get(before.indexOf(victim));
    assertThat(drawnAuditor.audits()).isEqualTo(1);
    assertThat(drawnAuditor.findings())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.receiptId()).isEqualTo(receipt.id());
              assertThat(f.finding()).isEqualTo(AutoAuditor.Finding.MATCH);
            });
    assertThat(auditors.stream().mapToInt(AutoAuditor::audits).sum()).isEqualTo(1);
    assertThat(auditors.stream().flatMap(a -> a.findings().stream()).count()).isEqualTo(1);
  }

  /** The node the draw names for {@code r}, anchored in {@code anchorBlock}, over a registry. */
  private static EthAddress auditorOf(
      SignedReceipt r, EvmSettlement registry, long anchorBlock, long registryBlock)
      throws Exception {
    AuditOutcome o =
        SampledAudit.draw(
            r,
            registry.nodes(registryBlock),
            anchorBlock,
            SampledAudit.blockTime(chain.anvil.rpcUrl(), anchorBlock),
            anchorBlock + 1,
            SampledAudit.blockHash(chain.anvil.rpcUrl(), anchorBlock + 1),
            AuditChain.CAP_BPS);
    assertThat(o).isInstanceOf(AuditOutcome.Audited.class);
    return ((AuditOutcome.Audited) o).auditor().node();
  }

  /** NodeRegistry.ban(node), sent from Anvil's unlocked account {@code slasher}. */
  private static void ban(EthAddress slasher, EthAddress node) throws Exception {
    String data =
        Hash.sha3String("ban(address)").substring(0, 10)
            + "0".repeat(24)
            + node.toString().substring(2);
    String tx =
        chain.anvil.rpc(
            "eth_sendTransaction",
            "[{\"from\":\""
                + slasher
                + "\",\"to\":\""
                + chain.deployment.nodeRegistry()
                + "\",\"data\":\""
                + data
                + "\"}]");
    assertThat(tx).contains("\"result\":\"0x");
  }
}
