package dev.verity.settlement.evm;

import static dev.verity.settlement.evm.TestChain.ETH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.log.InclusionProof;
import dev.verity.log.MemoryHashStore;
import dev.verity.log.MerkleTree;
import dev.verity.log.Rfc9162;
import dev.verity.receipt.ReceiptKey;
import dev.verity.receipt.eth.EthAddress;
import dev.verity.settlement.AnchoredCheckpoint;
import dev.verity.settlement.ChainEvent;
import dev.verity.settlement.ForkReport;
import dev.verity.settlement.SettlementException;
import dev.verity.settlement.TxResult;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.abi.datatypes.Type;

class LogAnchorTest {
  private static final Digest MODEL = TestChain.digest("anchor test model");
  private static final SecureRandom RANDOM = new SecureRandom();
  private static TestChain chain;
  private static EvmSettlement operator;
  private static EvmSettlement reporter;

  @BeforeAll
  static void start() throws Exception {
    chain = TestChain.start();
    operator = chain.as(1);
    reporter = chain.as(6);
    chain.as(4).registerModel(MODEL, "anchor-model", "1", TestChain.ed25519Key("p"));
  }

  @AfterAll
  static void stop() {
    chain.close();
  }

  /** A log of {@code n} leaves; leaf i is entry "label-i" unless replaced. */
  private static MemoryHashStore log(String label, int n, int replacedIndex, String replacement) {
    MemoryHashStore s = new MemoryHashStore();
    for (int i = 0; i < n; i++) {
      String entry = i == replacedIndex ? replacement : label + "-" + i;
      s.append(Rfc9162.leafHash(entry.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
    return s;
  }

  private static Bytes leaf(MemoryHashStore s, long index) {
    return Bytes.copyOf(s.completeSubtree(0, index));
  }

  private static EthAddress newNode(BigInteger stake) throws SettlementException {
    ReceiptKey key = ReceiptKey.generate(RANDOM);
    operator.registerNode(key, "http://127.0.0.1:9100", List.of(MODEL), stake);
    return key.address();
  }

  @Test
  void anchor_recordsCheckpoints_andEmitsEvents() throws Exception {
    EthAddress node = newNode(ETH);
    MemoryHashStore s = log("a", 10, -1, null);
    MerkleTree t = new MerkleTree(s);
    TxResult tx = operator.anchorCheckpoint(node, 4, t.rootHash(4));
    ChainEvent e = tx.event("CheckpointAnchored").orElseThrow();
    assertThat(e.args())
        .containsEntry("node", node.toString())
        .containsEntry("index", "0")
        .containsEntry("treeSize", "4")
        .containsEntry("root", "0x" + t.rootHash(4).toHex());
    operator.anchorCheckpoint(node, 10, t.rootHash(10));
    List<AnchoredCheckpoint> cps = operator.checkpoints(node);
    assertThat(cps).extracting(AnchoredCheckpoint::treeSize).containsExactly(4L, 10L);
    assertThat(cps.get(1).root()).isEqualTo(t.rootHash(10));
    assertThat(cps.get(1).anchoredAt()).isEqualTo(chain.chainTime());
  }

  @Test
  void anchor_sizeDecrease_unchanged_empty_stranger_revert() throws Exception {
    EthAddress node = newNode(ETH);
    MerkleTree t = new MerkleTree(log("b", 8, -1, null));
    operator.anchorCheckpoint(node, 8, t.rootHash(8));
    assertThatThrownBy(() -> operator.anchorCheckpoint(node, 7, t.rootHash(7)))
        .hasMessage("LogAnchor: TreeSizeDecreased(node=" + node + ", latest=8, given=7)");
    assertThatThrownBy(() -> operator.anchorCheckpoint(node, 8, t.rootHash(8)))
        .hasMessage(
            "LogAnchor: CheckpointUnchanged(treeSize=8, root=0x" + t.rootHash(8).toHex() + ")");
    assertThatThrownBy(() -> operator.anchorCheckpoint(node, 0, t.rootHash(1)))
        .hasMessage("LogAnchor: EmptyTree()");
    assertThatThrownBy(() -> reporter.anchorCheckpoint(node, 9, t.rootHash(8)))
        .hasMessage(
            "LogAnchor: NotNodeController(node=" + node + ", caller=" + reporter.account() + ")");
    EthAddress unknown = ReceiptKey.generate(RANDOM).address();
    assertThatThrownBy(() -> operator.anchorCheckpoint(unknown, 9, t.rootHash(8)))
        .hasMessage("LogAnchor: UnknownNode(node=" + unknown + ")");
  }

  @Test
  void reportFork_differentLeavesAtSameIndex_slashesBansAndRewardsReporter() throws Exception {
    BigInteger stake = ETH.multiply(BigInteger.TWO);
    EthAddress node = newNode(stake);
    MemoryHashStore honest = log("c", 4, -1, null);
    MemoryHashStore forked = log("c", 6, 2, "rewritten entry");
    MerkleTree a = new MerkleTree(honest);
    MerkleTree b = new MerkleTree(forked);
    operator.anchorCheckpoint(node, 4, a.rootHash(4));
    operator.anchorCheckpoint(node, 6, b.rootHash(6));
    BigInteger burnedBefore = burned();

    ForkReport report =
        new ForkReport.DifferentLeaves(
            node,
            0,
            1,
            leaf(honest, 2),
            a.inclusionProof(2, 4),
            leaf(forked, 2),
            b.inclusionProof(2, 6));
    BigInteger before = reporter.balance(reporter.account());
    TxResult tx = reporter.reportFork(report);
    BigInteger after = reporter.balance(reporter.account());

    BigInteger reward =
        stake
            .multiply(BigInteger.valueOf(TestChain.PARAMS.slashRewardBps()))
            .divide(BigInteger.valueOf(10_000));
    assertThat(tx.event("ForkProven").orElseThrow().args())
        .containsEntry("node", node.toString())
        .containsEntry("reporter", reporter.account().toString())
        .containsEntry("leafIndex", "2")
        .containsEntry("slashed", stake.toString())
        .containsEntry("reward", reward.toString());
    assertThat(tx.event("Slashed").orElseThrow().arg("amount")).isEqualTo(stake.toString());
    assertThat(tx.event("NodeBanned")).isPresent();
    assertThat(after.subtract(before))
        .isBetween(reward.subtract(ETH.divide(BigInteger.valueOf(100))), reward);
    assertThat(burned().subtract(burnedBefore)).isEqualTo(stake.subtract(reward));
    var info = operator.node(node).orElseThrow();
    assertThat(info.stakeWei()).isZero();
    assertThat(info.banned()).isTrue();
    assertThat(operator.isActive(node, Duration.ofDays(1))).isFalse();

    assertThatThrownBy(() -> reporter.reportFork(report))
        .hasMessage("LogAnchor: NodeConvicted(node=" + node + ")");
    assertThatThrownBy(() -> operator.anchorCheckpoint(node, 7, b.rootHash(6)))
        .hasMessage("LogAnchor: NodeConvicted(node=" + node + ")");
    assertThatThrownBy(() -> operator.heartbeat(node))
        .hasMessage("NodeRegistry: NodeIsBanned(node=" + node + ")");
    assertThatThrownBy(() -> operator.addStake(node, ETH))
        .hasMessage("NodeRegistry: NodeIsBanned(node=" + node + ")");
  }

  @Test
  void reportFork_sameSizeDifferentRoots_isConclusive_andSlashesUnbondingStakeToo()
      throws Exception {
    EthAddress node = newNode(ETH.multiply(BigInteger.valueOf(3)));
    operator.requestUnbond(node, ETH);
    operator.anchorCheckpoint(node, 5, new MerkleTree(log("d", 5, -1, null)).rootHash(5));
    operator.anchorCheckpoint(node, 5, new MerkleTree(log("d", 5, 4, "other")).rootHash(5));
    TxResult tx = reporter.reportFork(new ForkReport.SameSize(node, 0, 1));
    assertThat(tx.event("ForkProven").orElseThrow().arg("slashed"))
        .isEqualTo(ETH.multiply(BigInteger.valueOf(3)).toString());
    var info = operator.node(node).orElseThrow();
    assertThat(info.stakeWei()).isZero();
    assertThat(info.unbondingWei()).isZero();
  }

  @Test
  void reportFork_bogusEvidence_isRejected_andNodeKeepsItsStake() throws Exception {
    EthAddress node = newNode(ETH);
    MemoryHashStore s = log("e", 8, -1, null);
    MerkleTree t = new MerkleTree(s);
    operator.anchorCheckpoint(node, 4, t.rootHash(4));
    operator.anchorCheckpoint(node, 8, t.rootHash(8));
    MerkleTree fake = new MerkleTree(log("e", 8, 1, "fabricated"));
    MemoryHashStore fakeStore = log("e", 8, 1, "fabricated");

    // A fabricated leaf with a proof from a tree the node never anchored.
    assertThatThrownBy(
            () ->
                reporter.reportFork(
                    new ForkReport.DifferentLeaves(
                        node,
                        0,
                        1,
                        leaf(s, 1),
                        t.inclusionProof(1, 4),
                        leaf(fakeStore, 1),
                        fake.inclusionProof(1, 8))))
        .hasMessage(
            "LogAnchor: InclusionProofMismatch(which=1, computedRoot=0x"
                + fake.rootHash(8).toHex()
                + ", anchoredRoot=0x"
                + t.rootHash(8).toHex()
                + ")");
    // The same leaf twice is no conflict.
    assertThatThrownBy(
            () ->
                reporter.reportFork(
                    new ForkReport.DifferentLeaves(
                        node,
                        0,
                        1,
                        leaf(s, 1),
                        t.inclusionProof(1, 4),
                        leaf(s, 1),
                        t.inclusionProof(1, 8))))
        .hasMessage("LogAnchor: NoConflict(reason=the two leaf hashes are equal)");
    // An index beyond the smaller checkpoint.
    assertThatThrownBy(
            () ->
                reporter.reportFork(
                    new ForkReport.DifferentLeaves(
                        node,
                        0,
                        1,
                        leaf(s, 5),
                        t.inclusionProof(5, 8),
                        leaf(fakeStore, 5),
                        fake.inclusionProof(5, 8))))
        .hasMessage("LogAnchor: LeafIndexOutOfRange(leafIndex=5, smallerTreeSize=4)");
    // A path of the wrong length.
    InclusionProof good = t.inclusionProof(1, 4);
    InclusionProof shortPath = new InclusionProof(1, 4, good.path().subList(0, 1));
    assertThatThrownBy(
            () ->
                reporter.reportFork(
                    new ForkReport.DifferentLeaves(
                        node,
                        0,
                        1,
                        leaf(s, 1),
                        shortPath,
                        leaf(fakeStore, 1),
                        fake.inclusionProof(1, 8))))
        .hasMessage(
            "LogAnchor: InclusionProofShape(index=1, treeSize=4, pathLength=1, reason=path shorter than the tree is high)");
    // Same size, same root; the same checkpoint twice; a checkpoint that does not exist.
    assertThatThrownBy(() -> reporter.reportFork(new ForkReport.SameSize(node, 0, 0)))
        .hasMessage("LogAnchor: SameCheckpoint(index=0)");
    assertThatThrownBy(() -> reporter.reportFork(new ForkReport.SameSize(node, 0, 2)))
        .hasMessage("LogAnchor: UnknownCheckpoint(node=" + node + ", index=2, count=2)");

    var info = operator.node(node).orElseThrow();
    assertThat(info.stakeWei()).isEqualTo(ETH);
    assertThat(info.banned()).isFalse();
  }

  @Test
  void rfc9162_solidityMatchesJava_forEveryIndexOfTreesUpTo40_andRandomLargerTrees()
      throws Exception {
    MemoryHashStore s = log("x", 3000, -1, null);
    MerkleTree t = new MerkleTree(s);
    List<long[]> pairs = new ArrayList<>();
    for (long size = 1; size <= 40; size++) {
      for (long index = 0; index < size; index++) {
        pairs.add(new long[] {index, size});
      }
    }
    for (int i = 0; i < 100; i++) {
      long size = 41 + RANDOM.nextInt(3000 - 41 + 1);
      pairs.add(new long[] {RANDOM.nextLong(size), size});
    }
    for (long[] p : pairs) {
      InclusionProof proof = t.inclusionProof(p[0], p[1]);
      Bytes leafHash = leaf(s, p[0]);
      Bytes javaRoot = proof.rootFrom(leafHash);
      assertThat(javaRoot)
          .as("Java root for index %d size %d", p[0], p[1])
          .isEqualTo(t.rootHash(p[1]));
      assertThat(operator.rootFromInclusionProof(proof, leafHash))
          .as("Solidity root for index %d size %d", p[0], p[1])
          .isEqualTo(javaRoot);
    }
    assertThat(pairs).hasSize(820 + 100);
  }

  @Test
  void rfc9162_tamperedOrMisshapenProofs_agreeBetweenJavaAndSolidity() throws Exception {
    MemoryHashStore s = log("y", 100, -1, null);
    MerkleTree t = new MerkleTree(s);
    InclusionProof proof = t.inclusionProof(37, 100);
    List<Bytes> tampered = new ArrayList<>(proof.path());
    byte[] first = tampered.getFirst().toByteArray();
    first[0] ^= 1;
    tampered.set(0, Bytes.copyOf(first));
    InclusionProof bad = new InclusionProof(37, 100, tampered);
    Bytes leafHash = leaf(s, 37);
    assertThat(operator.rootFromInclusionProof(bad, leafHash))
        .isEqualTo(bad.rootFrom(leafHash))
        .isNotEqualTo(t.rootHash(100));

    List<Bytes> longer = new ArrayList<>(proof.path());
    longer.add(Bytes.copyOf(new byte[32]));
    assertThatThrownBy(() -> new InclusionProof(37, 100, longer).rootFrom(leafHash))
        .hasMessageContaining("longer than the tree is high");
    assertThatThrownBy(
            () -> operator.rootFromInclusionProof(new InclusionProof(37, 100, longer), leafHash))
        .hasMessage(
            "LogAnchor: InclusionProofShape(index=37, treeSize=100, pathLength=8, reason=path longer than the tree is high)");
    assertThatThrownBy(
            () ->
                operator.rootFromInclusionProof(
                    new InclusionProof(100, 100, proof.path()), leafHash))
        .hasMessageContaining("reason=index not inside the tree");
  }

  private static BigInteger burned() throws SettlementException {
    try (EvmChain c = chain.chain(0)) {
      List<Type> v =
          c.call(ContractArtifact.load("NodeRegistry"), chain.deployment.nodeRegistry(), "burned");
      return (BigInteger) v.getFirst().getValue();
    }
  }
}
