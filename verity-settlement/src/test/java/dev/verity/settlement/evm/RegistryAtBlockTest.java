package dev.verity.settlement.evm;

import static dev.verity.settlement.evm.TestChain.ETH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.core.Digest;
import dev.verity.receipt.ReceiptKey;
import dev.verity.receipt.eth.EthAddress;
import dev.verity.settlement.NodeInfo;
import dev.verity.settlement.SettlementException;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.web3j.abi.datatypes.Address;

/**
 * The registry read as of a past block (eth_call pinned to a block number), which the audit draw
 * uses for a checkpoint anchored in that block; and {@code isActive} evaluated by a block whose
 * timestamp is earlier than the node's last heartbeat. Each test has its own Anvil: one bans nodes,
 * the other sets the chain clock back.
 */
class RegistryAtBlockTest {
  private static final Digest MNIST = TestChain.digest("mnist manifest");
  private static final Digest STORIES = TestChain.digest("tinystories manifest");
  private static final SecureRandom RANDOM = new SecureRandom();

  @Test
  void nodesAtBlock_isTheRegistryAsItWasThen_laterChangesOnlyAtLatest() throws Exception {
    try (TestChain chain = TestChain.start()) {
      EvmSettlement owner = chain.as(0);
      EvmSettlement op1 = chain.as(1);
      EvmSettlement op2 = chain.as(2);
      EvmSettlement op3 = chain.as(3);
      chain.as(4).registerModel(MNIST, "mnist", "1.0", TestChain.ed25519Key("pub"));
      chain.as(4).registerModel(STORIES, "tinystories", "15M", TestChain.ed25519Key("pub"));
      EthAddress a = register(op1, "http://a", List.of(MNIST), ETH.multiply(BigInteger.TWO));
      long beforeB = op1.registerNode(newKey(), "http://x", List.of(STORIES), ETH).blockNumber();
      EthAddress b = register(op2, "http://b", List.of(MNIST), ETH);
      long then = blockNumber(chain);
      Instant heartbeatThen = op1.node(a).orElseThrow().lastHeartbeat();

      // After block `then`: a node registers, one is banned, one adds stake and moves models.
      EthAddress c = register(op3, "http://c", List.of(MNIST), ETH);
      owner.setSlasher(TestChain.key(9).address(), true);
      try (EvmChain slasher = chain.chain(9)) {
        slasher.send(
            ContractArtifact.load("NodeRegistry"),
            chain.deployment.nodeRegistry(),
            "ban",
            BigInteger.ZERO,
            new Address(b.toString()));
      }
      op1.addStake(a, ETH);
      op1.updateModels(a, List.of(MNIST, STORIES));
      op1.updateEndpoint(a, "http://a2");
      // Past the states Anvil holds in memory: older ones are kept on disk, and still served.
      chain.anvil.rpc("anvil_mine", "[\"0x258\"]");
      chain.anvil.increaseTime(Duration.ofSeconds(900));

      Map<EthAddress, NodeInfo> past = byNode(op3.nodes(then));
      assertThat(op3.nodes(then)).extracting(NodeInfo::node).containsSubsequence(a, b);
      assertThat(past).doesNotContainKey(c).hasSize(3);
      assertThat(past.get(a).stakeWei()).isEqualTo(ETH.multiply(BigInteger.TWO));
      assertThat(past.get(a).models()).containsExactly(MNIST);
      assertThat(past.get(a).endpoint()).isEqualTo("http://a");
      assertThat(past.get(a).lastHeartbeat()).isEqualTo(heartbeatThen);
      assertThat(past.get(b).banned()).isFalse();
      assertThat(byNode(op3.nodes(beforeB))).doesNotContainKey(b).hasSize(2);

      Map<EthAddress, NodeInfo> latest = byNode(op3.nodes());
      assertThat(latest).containsKey(c).hasSize(4);
      assertThat(latest.get(a).stakeWei()).isEqualTo(ETH.multiply(BigInteger.valueOf(3)));
      assertThat(latest.get(a).models()).containsExactly(MNIST, STORIES);
      assertThat(latest.get(a).endpoint()).isEqualTo("http://a2");
      assertThat(latest.get(b).banned()).isTrue();
      // The latest block's registry is the one nodes() reads.
      assertThat(op3.nodes(blockNumber(chain))).isEqualTo(op3.nodes());

      // Heartbeat freshness against the pinned block's timestamp, not the chain's clock now.
      Duration maxAge = Duration.ofSeconds(600);
      assertThat(op3.isActive(a, maxAge, then)).isTrue();
      assertThat(op3.isActive(a, maxAge)).isFalse();
      assertThat(op3.isActive(b, maxAge, then)).isTrue();
      assertThat(op3.isActive(c, maxAge, then)).isFalse(); // not registered yet

      long future = blockNumber(chain) + 1_000;
      assertThatThrownBy(() -> op3.nodes(future))
          .isInstanceOf(SettlementException.class)
          .hasMessageContaining("as of block " + future)
          .hasMessageContaining(chain.anvil.rpcUrl());
      assertThatThrownBy(() -> op3.nodes(-1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("-1");
    }
  }

  /**
   * A block whose timestamp is earlier than a heartbeat it sees (Anvil lets the clock be set back,
   * and eth_call may run in such an environment). {@code block.timestamp - lastHeartbeat} would
   * underflow and revert the whole view; the registry counts such a heartbeat as fresh.
   */
  @Test
  void isActive_heartbeatStampedAfterTheEvaluatingBlocksTime_isFresh_notAnUnderflow()
      throws Exception {
    try (TestChain chain = TestChain.start()) {
      EvmSettlement op = chain.as(1);
      chain.as(4).registerModel(MNIST, "mnist", "1.0", TestChain.ed25519Key("pub"));
      EthAddress node = register(op, "http://a", List.of(MNIST), ETH);
      chain.anvil.increaseTime(Duration.ofSeconds(100));
      op.heartbeat(node);
      Instant beat = op.node(node).orElseThrow().lastHeartbeat();

      chain.anvil.rpc("evm_setTime", "[" + (beat.getEpochSecond() - 50) + "]");
      chain.anvil.mine();
      long back = blockNumber(chain);
      assertThat(chain.chainTime()).isBefore(beat);

      Duration maxAge = Duration.ofSeconds(10);
      assertThat(op.isActive(node, maxAge)).isTrue();
      assertThat(op.isActive(node, maxAge, back)).isTrue();
      assertThat(op.nodesServing(MNIST, java.util.Optional.of(maxAge)))
          .extracting(NodeInfo::node)
          .containsExactly(node);
    }
  }

  private static ReceiptKey newKey() {
    return ReceiptKey.generate(RANDOM);
  }

  /** Registers a fresh node key under {@code op}; returns the node's address. */
  private static EthAddress register(
      EvmSettlement op, String endpoint, List<Digest> models, BigInteger stake)
      throws SettlementException {
    ReceiptKey key = newKey();
    op.registerNode(key, endpoint, models, stake);
    return key.address();
  }

  private static long blockNumber(TestChain chain) throws Exception {
    String r = chain.anvil.rpc("eth_blockNumber", "[]");
    int i = r.indexOf("\"result\":\"0x") + 12;
    return Long.parseLong(r.substring(i, r.indexOf('"', i)), 16);
  }

  private static Map<EthAddress, NodeInfo> byNode(List<NodeInfo> nodes) {
    return nodes.stream().collect(Collectors.toMap(NodeInfo::node, Function.identity()));
  }
}
