package dev.verity.settlement.evm;

import static dev.verity.settlement.evm.TestChain.ETH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.core.Digest;
import dev.verity.receipt.ReceiptKey;
import dev.verity.receipt.eth.EthAddress;
import dev.verity.receipt.eth.EthSignature;
import dev.verity.settlement.NodeInfo;
import dev.verity.settlement.SettlementException;
import dev.verity.settlement.TxResult;
import dev.verity.settlement.TypedData;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.generated.Uint256;

class NodeRegistryTest {
  private static TestChain chain;
  private static EvmSettlement owner;
  private static EvmSettlement operator;
  private static EvmSettlement other;
  private static final Digest MNIST = TestChain.digest("mnist manifest");
  private static final Digest STORIES = TestChain.digest("tinystories manifest");
  private static final SecureRandom RANDOM = new SecureRandom();

  @BeforeAll
  static void start() throws Exception {
    chain = TestChain.start();
    owner = chain.as(0);
    operator = chain.as(1);
    other = chain.as(2);
    EvmSettlement publisher = chain.as(4);
    publisher.registerModel(MNIST, "mnist", "1.0", TestChain.ed25519Key("pub"));
    publisher.registerModel(STORIES, "tinystories", "15M", TestChain.ed25519Key("pub"));
  }

  @AfterAll
  static void stop() {
    chain.close();
  }

  private static ReceiptKey newNodeKey() {
    return ReceiptKey.generate(RANDOM);
  }

  @Test
  void register_storesNodeAndEmitsEvents() throws Exception {
    ReceiptKey key = newNodeKey();
    TxResult tx =
        operator.registerNode(
            key, "http://127.0.0.1:9001", List.of(MNIST, STORIES), ETH.multiply(BigInteger.TWO));

    assertThat(tx.event("NodeRegistered").orElseThrow().args())
        .containsEntry("node", key.address().toString())
        .containsEntry("operator", operator.account().toString())
        .containsEntry("endpoint", "http://127.0.0.1:9001")
        .containsEntry("stake", ETH.multiply(BigInteger.TWO).toString());
    assertThat(tx.event("ModelsUpdated").orElseThrow().arg("models"))
        .isEqualTo("[0x" + MNIST.hex() + ", 0x" + STORIES.hex() + "]");

    NodeInfo n = operator.node(key.address()).orElseThrow();
    assertThat(n.operator()).isEqualTo(operator.account());
    assertThat(n.endpoint()).isEqualTo("http://127.0.0.1:9001");
    assertThat(n.stakeWei()).isEqualTo(ETH.multiply(BigInteger.TWO));
    assertThat(n.models()).containsExactly(MNIST, STORIES);
    assertThat(n.banned()).isFalse();
    assertThat(n.lastHeartbeat()).isEqualTo(n.registeredAt());
    assertThat(operator.nodesServing(MNIST, Optional.empty()))
        .extracting(NodeInfo::node)
        .contains(key.address());
    assertThat(operator.nodes()).extracting(NodeInfo::node).contains(key.address());
    assertThat(operator.isActive(key.address(), Duration.ofMinutes(5))).isTrue();
  }

  @Test
  void node_unknown_isEmpty() throws Exception {
    assertThat(operator.node(newNodeKey().address())).isEmpty();
  }

  @Test
  void heartbeat_keepsNodeActive_andSilenceMakesItInactive() throws Exception {
    ReceiptKey key = newNodeKey();
    operator.registerNode(key, "http://127.0.0.1:9002", List.of(STORIES), ETH);
    Duration maxAge = Duration.ofSeconds(600);
    NodeInfo before = operator.node(key.address()).orElseThrow();

    chain.anvil.increaseTime(Duration.ofSeconds(900));
    assertThat(operator.isActive(key.address(), maxAge)).isFalse();
    assertThat(operator.nodesServing(STORIES, Optional.of(maxAge)))
        .extracting(NodeInfo::node)
        .doesNotContain(key.address());

    TxResult hb = operator.heartbeat(key.address());
    assertThat(hb.event("Heartbeat").orElseThrow().arg("node")).isEqualTo(key.address().toString());
    NodeInfo after = operator.node(key.address()).orElseThrow();
    assertThat(after.lastHeartbeat()).isAfterOrEqualTo(before.lastHeartbeat().plusSeconds(900));
    assertThat(operator.isActive(key.address(), maxAge)).isTrue();
    assertThat(operator.nodesServing(STORIES, Optional.of(maxAge)))
        .extracting(NodeInfo::node)
        .contains(key.address());
  }

  @Test
  void heartbeat_fromTheNodeKeyAccount_isAccepted_fromAStranger_reverts() throws Exception {
    // Anvil account 7 acts as the node's receipt key (it has ETH for gas).
    EvmKey nodeAccount = TestChain.key(7);
    ReceiptKey key = ReceiptKey.fromPrivateKey(privateKey(7));
    assertThat(key.address()).isEqualTo(nodeAccount.address());
    operator.registerNode(key, "http://127.0.0.1:9007", List.of(MNIST), ETH);
    try (EvmSettlement self = chain.as(7)) {
      assertThat(self.heartbeat(key.address()).event("Heartbeat")).isPresent();
    }
    assertThatThrownBy(() -> other.heartbeat(key.address()))
        .isInstanceOf(SettlementException.class)
        .hasMessage(
            "NodeRegistry: NotNodeController(node="
                + key.address()
                + ", caller="
                + other.account()
                + ")");
  }

  @Test
  void unbond_timeline_withdrawOnlyAfterDelay() throws Exception {
    ReceiptKey key = newNodeKey();
    EthAddress node = key.address();
    operator.registerNode(
        key, "http://127.0.0.1:9003", List.of(MNIST), ETH.multiply(BigInteger.valueOf(3)));
    TxResult added = operator.addStake(node, ETH);
    assertThat(added.event("StakeAdded").orElseThrow().arg("stake"))
        .isEqualTo(ETH.multiply(BigInteger.valueOf(4)).toString());

    TxResult req = operator.requestUnbond(node, ETH.multiply(BigInteger.TWO));
    NodeInfo n = operator.node(node).orElseThrow();
    assertThat(n.stakeWei()).isEqualTo(ETH.multiply(BigInteger.TWO));
    assertThat(n.unbondingWei()).isEqualTo(ETH.multiply(BigInteger.TWO));
    assertThat(req.event("UnbondRequested").orElseThrow().arg("readyAt"))
        .isEqualTo(Long.toString(n.unbondingReadyAt().getEpochSecond()));

    assertThatThrownBy(() -> operator.withdrawStake(node))
        .isInstanceOf(SettlementException.class)
        .hasMessageStartingWith(
            "NodeRegistry: UnbondingNotReady(readyAt="
                + n.unbondingReadyAt().getEpochSecond()
                + ", time=");

    chain.anvil.increaseTime(Duration.ofSeconds(TestChain.PARAMS.unbondingDelaySeconds()));
    BigInteger balanceBefore = operator.balance(operator.account());
    TxResult w = operator.withdrawStake(node);
    assertThat(w.event("StakeWithdrawn").orElseThrow().arg("amount"))
        .isEqualTo(ETH.multiply(BigInteger.TWO).toString());
    BigInteger balanceAfter = operator.balance(operator.account());
    // Gas on Anvil costs far less than 0.01 ETH.
    assertThat(balanceAfter.subtract(balanceBefore))
        .isBetween(
            ETH.multiply(BigInteger.TWO).subtract(ETH.divide(BigInteger.valueOf(100))),
            ETH.multiply(BigInteger.TWO));
    NodeInfo done = operator.node(node).orElseThrow();
    assertThat(done.unbondingWei()).isZero();
    assertThat(done.stakeWei()).isEqualTo(ETH.multiply(BigInteger.TWO));

    assertThatThrownBy(() -> operator.withdrawStake(node))
        .hasMessage("NodeRegistry: NothingUnbonding(node=" + node + ")");
  }

  @Test
  void unbondBelowMinimum_makesNodeInactive() throws Exception {
    ReceiptKey key = newNodeKey();
    operator.registerNode(key, "http://127.0.0.1:9004", List.of(MNIST), ETH);
    operator.requestUnbond(key.address(), BigInteger.ONE);
    assertThat(operator.isActive(key.address(), Duration.ofHours(1))).isFalse();
  }

  @Test
  void register_stakeBelowMinimum_reverts() {
    ReceiptKey key = newNodeKey();
    assertThatThrownBy(
            () ->
                operator.registerNode(
                    key, "http://x", List.of(MNIST), ETH.subtract(BigInteger.ONE)))
        .isInstanceOf(SettlementException.class)
        .hasMessage(
            "NodeRegistry: StakeBelowMinimum(stake="
                + ETH.subtract(BigInteger.ONE)
                + ", minimum="
                + ETH
                + ")")
        .satisfies(
            e -> assertThat(((SettlementException) e).errorName()).contains("StakeBelowMinimum"));
  }

  @Test
  void register_twice_reverts() throws Exception {
    ReceiptKey key = newNodeKey();
    operator.registerNode(key, "http://a", List.of(MNIST), ETH);
    assertThatThrownBy(() -> other.registerNode(key, "http://b", List.of(MNIST), ETH))
        .hasMessage(
            "NodeRegistry: NodeAlreadyRegistered(node="
                + key.address()
                + ", operator="
                + operator.account()
                + ")");
  }

  @Test
  void register_unregisteredModel_reverts() {
    Digest unknown = TestChain.digest("never published");
    assertThatThrownBy(() -> operator.registerNode(newNodeKey(), "http://a", List.of(unknown), ETH))
        .hasMessage("NodeRegistry: UnknownModel(digest=0x" + unknown.hex() + ")");
  }

  @Test
  void register_duplicateModel_reverts() {
    assertThatThrownBy(
            () -> operator.registerNode(newNodeKey(), "http://a", List.of(MNIST, MNIST), ETH))
        .hasMessage("NodeRegistry: DuplicateModel(digest=0x" + MNIST.hex() + ")");
  }

  @Test
  void register_emptyEndpoint_reverts() {
    assertThatThrownBy(() -> operator.registerNode(newNodeKey(), "", List.of(MNIST), ETH))
        .hasMessage("NodeRegistry: BadEndpoint(length=0, maxLength=256)");
  }

  @Test
  void register_keyProofForAnotherOperator_reverts() {
    // The proof names account 2 as operator, but account 1 sends it: nobody can register a key
    // that did not consent to that operator.
    ReceiptKey key = newNodeKey();
    EthSignature proof =
        TypedData.signNodeKey(key, chain.deployment.receiptDomain(), other.account());
    assertThatThrownBy(
            () -> operator.registerNode(key.address(), proof, "http://a", List.of(MNIST), ETH))
        .hasMessageStartingWith("NodeRegistry: NodeKeyNotProven(recovered=")
        .hasMessageEndingWith("node=" + key.address() + ")");
  }

  @Test
  void register_highSProof_reverts() {
    ReceiptKey key = newNodeKey();
    EthSignature proof =
        TypedData.signNodeKey(key, chain.deployment.receiptDomain(), operator.account());
    BigInteger n =
        new BigInteger("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", 16);
    BigInteger s = n.subtract(new BigInteger(1, proof.s().toByteArray()));
    EthSignature high =
        new EthSignature(
            proof.r(), dev.verity.core.Bytes.copyOf(toBytes32(s)), proof.v() == 27 ? 28 : 27);
    assertThatThrownBy(
            () -> operator.registerNode(key.address(), high, "http://a", List.of(MNIST), ETH))
        .hasMessage("NodeRegistry: SignatureHighS()");
  }

  @Test
  void operatorOnlyFunctions_fromAnotherAccount_revert() throws Exception {
    ReceiptKey key = newNodeKey();
    EthAddress node = key.address();
    operator.registerNode(key, "http://a", List.of(MNIST), ETH);
    String expected =
        "NodeRegistry: NotOperator(node="
            + node
            + ", caller="
            + other.account()
            + ", operator="
            + operator.account()
            + ")";
    assertThatThrownBy(() -> other.requestUnbond(node, BigInteger.ONE)).hasMessage(expected);
    assertThatThrownBy(() -> other.addStake(node, ETH)).hasMessage(expected);
    assertThatThrownBy(() -> other.withdrawStake(node)).hasMessage(expected);
    assertThatThrownBy(() -> other.updateEndpoint(node, "http://evil")).hasMessage(expected);
    assertThatThrownBy(() -> other.updateModels(node, List.of())).hasMessage(expected);
  }

  @Test
  void unbond_moreThanStake_orZero_reverts() throws Exception {
    ReceiptKey key = newNodeKey();
    operator.registerNode(key, "http://a", List.of(MNIST), ETH);
    assertThatThrownBy(() -> operator.requestUnbond(key.address(), ETH.add(BigInteger.ONE)))
        .hasMessage(
            "NodeRegistry: UnbondExceedsStake(requested="
                + ETH.add(BigInteger.ONE)
                + ", stake="
                + ETH
                + ")");
    assertThatThrownBy(() -> operator.requestUnbond(key.address(), BigInteger.ZERO))
        .hasMessage("NodeRegistry: ZeroAmount()");
  }

  @Test
  void unknownNode_reverts() {
    EthAddress stranger = newNodeKey().address();
    assertThatThrownBy(() -> operator.heartbeat(stranger))
        .hasMessage("NodeRegistry: UnknownNode(node=" + stranger + ")");
  }

  @Test
  void updateModelsAndEndpoint_changeDiscovery() throws Exception {
    ReceiptKey key = newNodeKey();
    EthAddress node = key.address();
    operator.registerNode(key, "http://a", List.of(MNIST), ETH);
    operator.updateModels(node, List.of(STORIES));
    TxResult ep = operator.updateEndpoint(node, "http://b");
    assertThat(ep.event("EndpointUpdated").orElseThrow().arg("endpoint")).isEqualTo("http://b");
    assertThat(operator.nodesServing(MNIST, Optional.empty()))
        .extracting(NodeInfo::node)
        .doesNotContain(node);
    assertThat(operator.nodesServing(STORIES, Optional.empty()))
        .extracting(NodeInfo::node)
        .contains(node);
    assertThat(operator.node(node).orElseThrow().endpoint()).isEqualTo("http://b");
  }

  @Test
  void slash_byAnAccountWithoutTheSlasherRole_reverts() throws Exception {
    ReceiptKey key = newNodeKey();
    operator.registerNode(key, "http://a", List.of(MNIST), ETH);
    try (EvmChain c = chain.chain(2)) {
      assertThatThrownBy(
              () ->
                  c.send(
                      ContractArtifact.load("NodeRegistry"),
                      chain.deployment.nodeRegistry(),
                      "slash",
                      BigInteger.ZERO,
                      new Address(key.address().toString()),
                      new Uint256(ETH),
                      new Address(other.account().toString())))
          .hasMessage("NodeRegistry: NotSlasher(caller=" + other.account() + ")");
    }
  }

  @Test
  void setSlasher_byNonOwner_reverts_byOwner_emitsEvent() throws Exception {
    assertThatThrownBy(() -> other.setSlasher(other.account(), true))
        .hasMessage("NodeRegistry: NotOwner(caller=" + other.account() + ")");
    TxResult tx = owner.setSlasher(TestChain.key(9).address(), true);
    assertThat(tx.event("SlasherSet").orElseThrow().args())
        .containsEntry("slasher", TestChain.key(9).address().toString())
        .containsEntry("allowed", "true");
  }

  @Test
  void slash_byAnAuthorisedSlasher_takesStakeThenUnbonding_andSplitsRewardAndBurn()
      throws Exception {
    // Account 9 stands in for a future dispute contract the owner authorises.
    owner.setSlasher(TestChain.key(9).address(), true);
    ReceiptKey key = newNodeKey();
    EthAddress node = key.address();
    operator.registerNode(key, "http://a", List.of(MNIST), ETH.multiply(BigInteger.valueOf(3)));
    operator.requestUnbond(node, ETH.multiply(BigInteger.TWO));
    EthAddress beneficiary = TestChain.key(8).address();
    BigInteger beneficiaryBefore = operator.balance(beneficiary);
    ContractArtifact reg = ContractArtifact.load("NodeRegistry");
    BigInteger amount = ETH.multiply(BigInteger.TWO); // 1 ETH from stake, 1 ETH from unbonding
    try (EvmChain slasher = chain.chain(9)) {
      BigInteger burnedBefore =
          (BigInteger)
              slasher.call(reg, chain.deployment.nodeRegistry(), "burned").getFirst().getValue();
      TxResult tx =
          slasher.send(
              reg,
              chain.deployment.nodeRegistry(),
              "slash",
              BigInteger.ZERO,
              new Address(node.toString()),
              new Uint256(amount),
              new Address(beneficiary.toString()));
      BigInteger reward =
          amount.multiply(BigInteger.valueOf(5_000)).divide(BigInteger.valueOf(10_000));
      assertThat(tx.event("Slashed").orElseThrow().args())
          .containsEntry("amount", amount.toString())
          .containsEntry("reward", reward.toString())
          .containsEntry("beneficiary", beneficiary.toString());
      assertThat(operator.balance(beneficiary).subtract(beneficiaryBefore)).isEqualTo(reward);
      BigInteger burnedAfter =
          (BigInteger)
              slasher.call(reg, chain.deployment.nodeRegistry(), "burned").getFirst().getValue();
      assertThat(burnedAfter.subtract(burnedBefore)).isEqualTo(amount.subtract(reward));
      NodeInfo n = operator.node(node).orElseThrow();
      assertThat(n.stakeWei()).isZero();
      assertThat(n.unbondingWei()).isEqualTo(ETH);
      assertThat(n.banned()).isFalse();
    }
    owner.setSlasher(TestChain.key(9).address(), false);
    try (EvmChain revoked = chain.chain(9)) {
      assertThatThrownBy(
              () ->
                  revoked.send(
                      reg,
                      chain.deployment.nodeRegistry(),
                      "ban",
                      BigInteger.ZERO,
                      new Address(node.toString())))
          .hasMessage("NodeRegistry: NotSlasher(caller=" + TestChain.key(9).address() + ")");
    }
  }

  static byte[] privateKey(int account) {
    return toBytes32(TestChain.key(account).credentials().getEcKeyPair().getPrivateKey());
  }

  static byte[] toBytes32(BigInteger v) {
    byte[] b = v.toByteArray();
    byte[] out = new byte[32];
    int n = Math.min(b.length, 32);
    System.arraycopy(b, b.length - n, out, 32 - n, n);
    return out;
  }
}
