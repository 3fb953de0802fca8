package dev.verity.settlement.evm;

import static dev.verity.settlement.evm.TestChain.ETH;
import static org.assertj.core.api.Assertions.assertThat;

import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.engine.NumericMode;
import dev.verity.log.MemoryHashStore;
import dev.verity.log.MerkleTree;
import dev.verity.log.Rfc9162;
import dev.verity.receipt.Receipt;
import dev.verity.receipt.ReceiptKey;
import dev.verity.receipt.SignedReceipt;
import dev.verity.settlement.ForkReport;
import dev.verity.settlement.TxResult;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Gas of the everyday calls stays within bounds that keep running a node affordable. */
class GasTest {
  private static final Logger LOG = LoggerFactory.getLogger(GasTest.class);
  private static TestChain chain;

  @BeforeAll
  static void start() throws Exception {
    chain = TestChain.start();
  }

  @AfterAll
  static void stop() {
    chain.close();
  }

  @Test
  void gas_ofRegisterHeartbeatAnchorForkAndRedeem_staysWithinBounds() throws Exception {
    EvmSettlement op = chain.as(1);
    EvmSettlement client = chain.as(5);
    EvmSettlement reporter = chain.as(6);
    Digest model = TestChain.digest("gas model");
    Map<String, BigInteger> gas = new LinkedHashMap<>();
    gas.put(
        "ModelRegistry.register",
        chain.as(4).registerModel(model, "gas", "1", TestChain.ed25519Key("g")).gasUsed());
    ReceiptKey key = ReceiptKey.generate(new SecureRandom());
    gas.put(
        "NodeRegistry.register (1 model)",
        op.registerNode(key, "http://127.0.0.1:9300", List.of(model), ETH).gasUsed());
    chain.anvil.increaseTime(Duration.ofSeconds(60));
    gas.put("NodeRegistry.heartbeat", op.heartbeat(key.address()).gasUsed());

    // A log of 2^16 + 5 leaves: inclusion proofs of 17 hashes.
    int n = (1 << 16) + 5;
    MemoryHashStore honest = new MemoryHashStore();
    MemoryHashStore forked = new MemoryHashStore();
    for (int i = 0; i < n; i++) {
      byte[] leaf =
          Rfc9162.leafHash(("entry " + i).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      honest.append(leaf);
      forked.append(i == 1234 ? Rfc9162.leafHash(new byte[] {1}) : leaf);
    }
    MerkleTree a = new MerkleTree(honest);
    MerkleTree b = new MerkleTree(forked);
    gas.put(
        "LogAnchor.anchor (first)",
        op.anchorCheckpoint(key.address(), n - 1, a.rootHash(n - 1)).gasUsed());
    gas.put("LogAnchor.anchor", op.anchorCheckpoint(key.address(), n, b.rootHash(n)).gasUsed());

    client.deposit(ETH);
    Receipt r =
        Receipt.builder()
            .model(model)
            .engine("strict", "0.1.0", TestChain.digest("cfg"), NumericMode.BITWISE)
            .input(TestChain.digest("in"))
            .output(TestChain.digest("out"))
            .node(key.address())
            .requestId("gas-1")
            .timeMillis(1)
            .build();
    SignedReceipt sr = SignedReceipt.sign(r, chain.deployment.receiptDomain(), key);
    var pay =
        client.authorizePayment(
            sr, ETH.divide(BigInteger.valueOf(1000)), chain.chainTime().plusSeconds(3600));
    gas.put("Escrow.redeem", op.redeem(sr, pay).gasUsed());

    TxResult fork =
        reporter.reportFork(
            new ForkReport.DifferentLeaves(
                key.address(),
                0,
                1,
                Bytes.copyOf(honest.completeSubtree(0, 1234)),
                a.inclusionProof(1234, n - 1),
                Bytes.copyOf(forked.completeSubtree(0, 1234)),
                b.inclusionProof(1234, n)));
    assertThat(a.inclusionProof(1234, n - 1).path()).hasSize(17);
    assertThat(b.inclusionProof(1234, n).path()).hasSize(17);
    gas.put("LogAnchor.reportFork (two proofs of 17 hashes)", fork.gasUsed());

    gas.forEach((k, v) -> LOG.info("gas {}: {}", k, v));
    assertThat(gas.get("NodeRegistry.heartbeat")).isLessThan(BigInteger.valueOf(40_000));
    assertThat(gas.get("LogAnchor.anchor")).isLessThan(BigInteger.valueOf(100_000));
    assertThat(gas.get("Escrow.redeem")).isLessThan(BigInteger.valueOf(150_000));
    assertThat(gas.get("LogAnchor.reportFork (two proofs of 17 hashes)"))
        .isLessThan(BigInteger.valueOf(300_000));
    assertThat(gas.get("NodeRegistry.register (1 model)")).isLessThan(BigInteger.valueOf(400_000));
  }
}
