package dev.verity.settlement.evm;

import static dev.verity.settlement.evm.TestChain.ETH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.engine.NumericMode;
import dev.verity.receipt.BatchProof;
import dev.verity.receipt.Receipt;
import dev.verity.receipt.ReceiptDomain;
import dev.verity.receipt.ReceiptKey;
import dev.verity.receipt.SignedReceipt;
import dev.verity.receipt.eth.EthAddress;
import dev.verity.settlement.PaymentAuthorization;
import dev.verity.settlement.TxResult;
import dev.verity.settlement.dispute.DisputeParameters;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.abi.datatypes.DynamicStruct;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.abi.datatypes.generated.Uint64;

/**
 * Batch-signed (format 2) receipts on Anvil: Escrow redeems them and DisputeManager opens disputes
 * over them, direct receipts keep working, and every malformed batch signature reverts with its
 * named error. The contract's batch digest and recovered signer equal the Java values for every
 * index of batches of 1 to 17 receipts.
 */
class BatchSignatureTest {
  private static final Digest MODEL = TestChain.digest("batch model");
  private static final BigInteger PRICE = ETH.divide(BigInteger.valueOf(100));
  private static final BigInteger BOND = ETH.divide(BigInteger.TEN);
  private static final AtomicInteger REQUESTS = new AtomicInteger();
  private static final ContractArtifact ESCROW = ContractArtifact.load("Escrow");
  private static final ContractArtifact DM = ContractArtifact.load("DisputeManager");
  private static TestChain chain;
  private static EvmSettlement client;
  private static EvmSettlement operator;
  private static EvmChain operatorChain;
  private static EvmChain challengerChain;
  private static ReceiptKey nodeKey;
  private static ReceiptDomain domain;
  private static EthAddress dm;

  @BeforeAll
  static void start() throws Exception {
    chain = TestChain.start();
    client = chain.as(5);
    operator = chain.as(1);
    chain.as(4).registerModel(MODEL, "batch-model", "1", TestChain.ed25519Key("b"));
    nodeKey = ReceiptKey.generate(new SecureRandom());
    chain.as(1).registerNode(nodeKey, "http://127.0.0.1:9400", List.of(MODEL), ETH);
    client.deposit(ETH.multiply(BigInteger.TEN));
    domain = chain.deployment.receiptDomain();
    dm =
        EvmDisputes.deploy(
            chain.anvil.rpcUrl(),
            chain.deployment,
            TestChain.key(0),
            new DisputeParameters(BOND, 100, 100, 3, 10_000));
    operatorChain = chain.chain(1);
    operatorChain.name(dm, "DisputeManager");
    challengerChain = chain.chain(6);
    challengerChain.name(dm, "DisputeManager");
  }

  @AfterAll
  static void stop() {
    operatorChain.close();
    challengerChain.close();
    chain.close();
  }

  private static Receipt receipt() {
    return Receipt.builder()
        .model(MODEL)
        .engine("strict", "0.1.0", TestChain.digest("engine config"), NumericMode.BITWISE)
        .input(TestChain.digest("input " + REQUESTS.get()))
        .output(TestChain.digest("output"))
        .trace(TestChain.digest("trace root"), 12)
        .node(nodeKey.address())
        .requestId("batch-" + REQUESTS.incrementAndGet())
        .timeMillis(1_764_000_000_000L)
        .seed(3)
        .build();
  }

  private static List<Receipt> receipts(int n) {
    List<Receipt> rs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      rs.add(receipt());
    }
    return rs;
  }

  /** Batch-signed with the independent test helper (tampering needs raw members). */
  private static List<BatchSigning.Member> batch(int n) {
    return BatchSigning.sign(receipts(n), domain, nodeKey);
  }

  /** Batch-signed by the receipts module, as nodes do. */
  private static List<SignedReceipt> signBatch(int n) {
    return SignedReceipt.signBatch(receipts(n), domain, nodeKey);
  }

  private static TxResult redeemThroughClient(SignedReceipt sr) throws Exception {
    return operator.redeem(
        sr, client.authorizePayment(sr, PRICE, chain.chainTime().plus(Duration.ofHours(1))));
  }

  private static PaymentAuthorization pay(Receipt r) throws Exception {
    return client.authorizePayment(
        new SignedReceipt(r, domain, nodeKey.sign(r.signingDigest(domain))),
        PRICE,
        chain.chainTime().plus(Duration.ofHours(1)));
  }

  private static TxResult redeem(Receipt r, DynamicStruct sig) throws Exception {
    PaymentAuthorization p = pay(r);
    return operatorChain.send(
        ESCROW,
        chain.deployment.escrow(),
        "redeem",
        BigInteger.ZERO,
        EvmSettlement.receiptStruct(r),
        sig,
        new org.web3j.abi.datatypes.StaticStruct(
            new org.web3j.abi.datatypes.Address(p.client().toString()),
            new org.web3j.abi.datatypes.Address(p.node().toString()),
            new Bytes32(p.receiptDigest().toByteArray()),
            new Uint256(p.amountWei()),
            new Uint64(p.expiry().getEpochSecond())),
        new org.web3j.abi.datatypes.DynamicBytes(p.signature().toBytes().toByteArray()));
  }

  private static EthAddress signerOnChain(Receipt r, DynamicStruct sig) throws Exception {
    return AbiValues.address(
        operatorChain
            .call(
                ESCROW,
                chain.deployment.escrow(),
                "receiptSigner",
                EvmSettlement.receiptStruct(r),
                sig)
            .getFirst());
  }

  private static String mismatch(EthAddress recovered) {
    return "Escrow: ReceiptSignerMismatch(recovered="
        + recovered
        + ", receiptNode="
        + nodeKey.address()
        + ")";
  }

  private static String shape(long index, long size, int pathLength, String reason) {
    return "Escrow: InclusionProofShape(index="
        + index
        + ", treeSize="
        + size
        + ", pathLength="
        + pathLength
        + ", reason="
        + reason
        + ")";
  }

  @Test
  void batchDigest_matchesGoldenVector() {
    // Recomputed independently with js-sha3 (docs: README "Batch-signed receipts").
    assertThat(BatchSigning.BATCH_TYPEHASH.toHex())
        .isEqualTo("90202df6c5c5c882d6ace348b8b54125c2c3a8f07890a364790a5b47e0e358d0");
    byte[] dd = new byte[20];
    dd[19] = (byte) 0xdd;
    ReceiptDomain golden = new ReceiptDomain(31337, new EthAddress(Bytes.copyOf(dd)));
    Bytes root = Bytes.fromHex("44".repeat(32));
    assertThat(BatchSigning.batchDigest(golden, root, 5).toHex())
        .isEqualTo("6da8d260424488d6105bc8ae51bfed04e405b7a0a43d8b690eba475073719e79");
    // Negative: the size is signed too.
    assertThat(BatchSigning.batchDigest(golden, root, 6).toHex())
        .isEqualTo("ea7213042a18cc71988277b83e2f5a5b985bd27d8e3a8258854fd1279be83fe2");
  }

  @Test
  void redeem_batchSignedReceipt_paysOperator_andEachReceiptOnce() throws Exception {
    List<SignedReceipt> b = signBatch(5);
    SignedReceipt m = b.get(3);
    m.verify();
    assertThat(m.batch().orElseThrow().path()).hasSize(3);
    TxResult tx = redeemThroughClient(m);
    assertThat(tx.event("Redeemed").orElseThrow().args())
        .containsEntry("receiptDigest", "0x" + m.receipt().signingDigest(domain).toHex())
        .containsEntry("node", nodeKey.address().toString())
        .containsEntry("amount", PRICE.toString());
    // Another receipt of the same batch, under the same signature, is a separate payment.
    SignedReceipt last = b.get(4);
    assertThat(last.signature()).isEqualTo(m.signature());
    assertThat(last.batch().orElseThrow().path()).hasSize(1);
    assertThat(redeemThroughClient(last).event("Redeemed")).isPresent();
    assertThatThrownBy(() -> redeemThroughClient(m))
        .hasMessageStartingWith("Escrow: AlreadyRedeemed(");
  }

  @Test
  void redeem_directReceipt_stillPays() throws Exception {
    Receipt r = receipt();
    SignedReceipt direct = SignedReceipt.sign(r, domain, nodeKey);
    assertThat(signerOnChain(r, EvmSettlement.signatureStruct(direct)))
        .isEqualTo(nodeKey.address());
    assertThat(direct.batch()).isEmpty();
    assertThat(redeemThroughClient(direct).event("Redeemed")).isPresent();
  }

  @Test
  void open_batchSignedReceipt_opensDispute() throws Exception {
    SignedReceipt sr = signBatch(7).get(6);
    Bytes otherRoot = TestChain.digest("challenger trace").value();
    TxResult tx;
    try (EvmDisputes challenger =
        EvmDisputes.connect(chain.anvil.rpcUrl(), chain.deployment, dm, TestChain.key(6))) {
      tx = challenger.open(sr, new Digest(otherRoot), 12, sr.receipt().outputDigest(), BOND).tx();
    }
    var opened = tx.event("DisputeOpened").orElseThrow();
    assertThat(opened.arg("node")).isEqualTo(nodeKey.address().toString());
    assertThat(opened.arg("receiptDigest"))
        .isEqualTo("0x" + sr.receipt().signingDigest(domain).toHex());
    // A flipped path element is refused by the dispute contract too.
    List<Bytes> path = new ArrayList<>(sr.batch().orElseThrow().path());
    path.set(0, flip(path.get(0)));
    DynamicStruct bad = EvmSettlement.signatureStruct(sr.signature(), 7, 6, path);
    assertThatThrownBy(
            () ->
                challengerChain.send(
                    DM,
                    dm,
                    "open",
                    BOND,
                    EvmSettlement.receiptStruct(sr.receipt()),
                    bad,
                    new Bytes32(otherRoot.toByteArray()),
                    new Uint64(12),
                    new Bytes32(sr.receipt().outputDigest().value().toByteArray())))
        .hasMessageStartingWith("DisputeManager: ReceiptSignerMismatch(recovered=0x")
        .hasMessageEndingWith("receiptNode=" + nodeKey.address() + ")");
  }

  private static Bytes flip(Bytes b) {
    byte[] a = b.toByteArray();
    a[7] ^= 0x01;
    return Bytes.copyOf(a);
  }

  @Test
  void redeem_malformedBatchSignatures_revertWithNamedErrors() throws Exception {
    List<BatchSigning.Member> b = batch(5);
    BatchSigning.Member m = b.get(3);
    Receipt r = m.receipt();

    List<Bytes> flipped = new ArrayList<>(m.path());
    flipped.set(1, flip(flipped.get(1)));
    assertThatThrownBy(() -> redeem(r, m.withPosition(5, 3, flipped).struct()))
        .hasMessageStartingWith("Escrow: ReceiptSignerMismatch(recovered=0x")
        .hasMessageEndingWith("receiptNode=" + nodeKey.address() + ")")
        .hasMessageNotContaining("recovered=" + nodeKey.address());
    // Wrong index with a path of the right length: another root, another signer.
    assertThatThrownBy(() -> redeem(r, m.withPosition(5, 2, m.path()).struct()))
        .hasMessageStartingWith("Escrow: ReceiptSignerMismatch(recovered=0x")
        .hasMessageNotContaining("recovered=" + nodeKey.address());
    // Wrong index where the path does not fit: index 4 of 5 has a path of one hash.
    assertThatThrownBy(() -> redeem(r, m.withPosition(5, 4, m.path()).struct()))
        .hasMessage(shape(4, 5, 3, "path longer than the tree is high"));
    assertThatThrownBy(() -> redeem(r, m.withPosition(5, 5, m.path()).struct()))
        .hasMessage(shape(5, 5, 3, "index not inside the tree"));
    // Wrong size that fits the path (index 3 of 6 has 3 hashes too), and one that does not.
    assertThatThrownBy(() -> redeem(r, m.withPosition(6, 3, m.path()).struct()))
        .hasMessageStartingWith("Escrow: ReceiptSignerMismatch(recovered=0x")
        .hasMessageNotContaining("recovered=" + nodeKey.address());
    assertThatThrownBy(() -> redeem(r, m.withPosition(4, 3, m.path()).struct()))
        .hasMessage(shape(3, 4, 3, "path longer than the tree is high"));
    // Path one hash too long / too short.
    List<Bytes> longer = new ArrayList<>(m.path());
    longer.add(m.root());
    assertThatThrownBy(() -> redeem(r, m.withPosition(5, 3, longer).struct()))
        .hasMessage(shape(3, 5, 4, "path longer than the tree is high"));
    assertThatThrownBy(() -> redeem(r, m.withPosition(5, 3, m.path().subList(0, 2)).struct()))
        .hasMessage(shape(3, 5, 2, "path shorter than the tree is high"));
    // A valid batch signature of another batch (another root) over this receipt's position.
    BatchSigning.Member foreign = batch(5).get(3);
    assertThatThrownBy(() -> redeem(r, m.withSig(foreign.sig()).struct()))
        .hasMessageStartingWith("Escrow: ReceiptSignerMismatch(recovered=0x")
        .hasMessageNotContaining("recovered=" + nodeKey.address());
    // batchSize 0 (direct) must not carry a path or an index.
    assertThatThrownBy(() -> redeem(r, m.withPosition(0, 0, m.path()).struct()))
        .hasMessage("Escrow: DirectSignatureWithBatchFields(batchIndex=0, pathLength=3)");
    assertThatThrownBy(() -> redeem(r, m.withPosition(0, 3, List.of()).struct()))
        .hasMessage("Escrow: DirectSignatureWithBatchFields(batchIndex=3, pathLength=0)");
    assertThatThrownBy(() -> redeem(r, m.withPosition(65_537, 3, m.path()).struct()))
        .hasMessage("Escrow: BatchTooLarge(batchSize=65537, maxBatchSize=65536)");
    // A direct signature presented as a batch of one, and a batch signature presented as direct.
    SignedReceipt direct = SignedReceipt.sign(r, domain, nodeKey);
    assertThatThrownBy(
            () -> redeem(r, EvmSettlement.signatureStruct(direct.signature(), 1, 0, List.of())))
        .hasMessageStartingWith("Escrow: ReceiptSignerMismatch(recovered=0x")
        .hasMessageNotContaining("recovered=" + nodeKey.address());
    assertThatThrownBy(() -> redeem(r, m.withPosition(0, 0, List.of()).struct()))
        .hasMessageStartingWith("Escrow: ReceiptSignerMismatch(recovered=0x")
        .hasMessageNotContaining("recovered=" + nodeKey.address());
    // The untampered member still redeems afterwards.
    assertThat(redeem(r, m.struct()).event("Redeemed")).isPresent();
  }

  @Test
  void batchDigestAndSigner_onChain_equalJava_forEveryIndexOfBatchesUpTo17() throws Exception {
    int checked = 0;
    for (int n = 1; n <= 17; n++) {
      List<Receipt> rs = receipts(n);
      List<SignedReceipt> b = SignedReceipt.signBatch(rs, domain, nodeKey);
      List<BatchSigning.Member> independent = BatchSigning.sign(rs, domain, nodeKey);
      Bytes root = independent.getFirst().root();
      Bytes javaDigest = BatchProof.signingDigest(domain, root, n);
      assertThat(javaDigest).isEqualTo(BatchSigning.batchDigest(domain, root, n));
      Bytes onChain =
          AbiValues.bytes(
              operatorChain
                  .call(
                      ESCROW,
                      chain.deployment.escrow(),
                      "batchDigest",
                      new Bytes32(root.toByteArray()),
                      new Uint64(n))
                  .getFirst());
      assertThat(onChain).isEqualTo(javaDigest);
      for (int i = 0; i < n; i++) {
        SignedReceipt sr = b.get(i);
        BatchProof proof = sr.batch().orElseThrow();
        sr.verify();
        assertThat(proof.size()).isEqualTo(n);
        assertThat(proof.index()).isEqualTo(i);
        assertThat(proof.path()).isEqualTo(independent.get(i).path());
        assertThat(proof.root(sr.receipt().signingDigest(domain))).isEqualTo(root);
        assertThat(sr.signature()).isEqualTo(independent.get(i).sig());
        assertThat(signerOnChain(sr.receipt(), EvmSettlement.signatureStruct(sr)))
            .as("index %d of %d", i, n)
            .isEqualTo(nodeKey.address());
        checked++;
      }
    }
    assertThat(checked).isEqualTo(17 * 18 / 2);
  }

  @Test
  void gas_ofRedeem_directVersusBatchOf1_8_1024() throws Exception {
    Map<String, BigInteger> gas = new LinkedHashMap<>();
    Receipt r = receipt();
    gas.put(
        "direct",
        redeem(r, EvmSettlement.signatureStruct(SignedReceipt.sign(r, domain, nodeKey))).gasUsed());
    for (int n : new int[] {1, 8, 1024}) {
      SignedReceipt m = signBatch(n).get(n - 1);
      gas.put(
          "batch of " + n + " (path " + m.batch().orElseThrow().path().size() + ")",
          redeemThroughClient(m).gasUsed());
    }
    System.out.println("Escrow.redeem gas: " + gas);
    BigInteger direct = gas.get("direct");
    for (var e : gas.entrySet()) {
      assertThat(e.getValue()).as(e.getKey()).isLessThan(BigInteger.valueOf(150_000));
    }
    // A path of ten hashes costs something, but well under the price of a second signature check.
    assertThat(gas.get("batch of 1024 (path 10)").subtract(direct))
        .isBetween(BigInteger.ZERO, BigInteger.valueOf(20_000));
  }
}
