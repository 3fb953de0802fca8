package dev.verity.settlement.evm;

import static dev.verity.settlement.evm.TestChain.ETH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.engine.NumericMode;
import dev.verity.receipt.Receipt;
import dev.verity.receipt.ReceiptDomain;
import dev.verity.receipt.ReceiptKey;
import dev.verity.receipt.SignedReceipt;
import dev.verity.receipt.VerificationPolicy;
import dev.verity.settlement.PaymentAuthorization;
import dev.verity.settlement.TxResult;
import dev.verity.settlement.TypedData;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EscrowTest {
  private static final Digest MODEL = TestChain.digest("escrow model");
  private static final BigInteger PRICE = ETH.divide(BigInteger.valueOf(100));
  private static final AtomicInteger REQUESTS = new AtomicInteger();
  private static TestChain chain;
  private static EvmSettlement operator;
  private static EvmSettlement client;
  private static EvmSettlement stranger;
  private static ReceiptKey nodeKey;

  @BeforeAll
  static void start() throws Exception {
    chain = TestChain.start();
    operator = chain.as(1);
    stranger = chain.as(2);
    client = chain.as(5);
    chain.as(4).registerModel(MODEL, "escrow-model", "1", TestChain.ed25519Key("p"));
    nodeKey = ReceiptKey.generate(new SecureRandom());
    operator.registerNode(nodeKey, "http://127.0.0.1:9200", List.of(MODEL), ETH);
    client.deposit(ETH);
  }

  @AfterAll
  static void stop() {
    chain.close();
  }

  /** A receipt that exercises every field type, including a seed above 2^63. */
  private static Receipt receipt() {
    return Receipt.builder()
        .model(MODEL)
        .engine("strict", "0.1.0", TestChain.digest("engine config"), NumericMode.BITWISE)
        .input(TestChain.digest("input " + REQUESTS.get()))
        .output(TestChain.digest("output"))
        .trace(TestChain.digest("trace root"), 17)
        .node(nodeKey.address())
        .requestId("req-" + REQUESTS.incrementAndGet())
        .timeMillis(1_764_000_000_123L)
        .policy(VerificationPolicy.parse("sample:0.25"))
        .seed(-2L)
        .build();
  }

  private static SignedReceipt signed() {
    return SignedReceipt.sign(receipt(), chain.deployment.receiptDomain(), nodeKey);
  }

  private static Instant inAnHour() throws Exception {
    return chain.chainTime().plus(Duration.ofHours(1));
  }

  @Test
  void typeHash_onChain_equalsTheReceiptFormat() throws Exception {
    try (EvmChain c = chain.chain(0)) {
      var v =
          c.call(ContractArtifact.load("Escrow"), chain.deployment.escrow(), "RECEIPT_TYPEHASH");
      assertThat(AbiValues.bytes(v.getFirst())).isEqualTo(Receipt.TYPEHASH);
    }
  }

  @Test
  void paymentDigest_computedOnChain_equalsJava() throws Exception {
    SignedReceipt r = signed();
    PaymentAuthorization p = client.authorizePayment(r, PRICE, inAnHour());
    try (EvmChain c = chain.chain(0)) {
      var v =
          c.call(
              ContractArtifact.load("Escrow"),
              chain.deployment.escrow(),
              "paymentDigest",
              new org.web3j.abi.datatypes.StaticStruct(
                  new org.web3j.abi.datatypes.Address(p.client().toString()),
                  new org.web3j.abi.datatypes.Address(p.node().toString()),
                  new org.web3j.abi.datatypes.generated.Bytes32(p.receiptDigest().toByteArray()),
                  new org.web3j.abi.datatypes.generated.Uint256(p.amountWei()),
                  new org.web3j.abi.datatypes.generated.Uint64(p.expiry().getEpochSecond())));
      assertThat(AbiValues.bytes(v.getFirst()))
          .isEqualTo(
              TypedData.paymentDigest(
                  chain.deployment.escrowDomain(),
                  p.client(),
                  p.node(),
                  p.receiptDigest(),
                  PRICE,
                  p.expiry()));
    }
  }

  @Test
  void receiptDigest_computedOnChain_equalsJava() throws Exception {
    SignedReceipt r = signed();
    assertThat(client.onChainReceiptDigest(r))
        .isEqualTo(r.receipt().signingDigest(chain.deployment.receiptDomain()));
    Receipt tolerance =
        Receipt.builder()
            .model(MODEL)
            .engine("ort", "1.29.0", TestChain.digest("ort config"), NumericMode.TOLERANCE)
            .input(TestChain.digest("i"))
            .output(TestChain.digest("o"))
            .node(nodeKey.address())
            .requestId("no-trace")
            .timeMillis(0)
            .build();
    SignedReceipt t = SignedReceipt.sign(tolerance, chain.deployment.receiptDomain(), nodeKey);
    assertThat(client.onChainReceiptDigest(t))
        .isEqualTo(tolerance.signingDigest(chain.deployment.receiptDomain()));
  }

  @Test
  void redeem_javaSignedReceipt_paysOperator_andSecondRedemptionReverts() throws Exception {
    SignedReceipt r = signed();
    r.verify();
    PaymentAuthorization p = client.authorizePayment(r, PRICE, inAnHour());
    BigInteger escrowBefore = client.escrowBalance(client.account());
    BigInteger operatorBefore = operator.balance(operator.account());

    TxResult tx = operator.redeem(r, p);

    assertThat(tx.event("Redeemed").orElseThrow().args())
        .containsEntry("receiptDigest", "0x" + p.receiptDigest().toHex())
        .containsEntry("client", client.account().toString())
        .containsEntry("node", nodeKey.address().toString())
        .containsEntry("operator", operator.account().toString())
        .containsEntry("amount", PRICE.toString());
    assertThat(client.escrowBalance(client.account())).isEqualTo(escrowBefore.subtract(PRICE));
    BigInteger gain = operator.balance(operator.account()).subtract(operatorBefore);
    assertThat(gain).isBetween(PRICE.subtract(PRICE.divide(BigInteger.TEN)), PRICE);

    assertThatThrownBy(() -> operator.redeem(r, p))
        .hasMessage("Escrow: AlreadyRedeemed(receiptDigest=0x" + p.receiptDigest().toHex() + ")");
  }

  @Test
  void redeem_receiptSignedByAnotherKey_reverts() throws Exception {
    Receipt receipt = receipt();
    ReceiptKey impostor = ReceiptKey.generate(new SecureRandom());
    ReceiptDomain domain = chain.deployment.receiptDomain();
    SignedReceipt forged =
        new SignedReceipt(receipt, domain, impostor.sign(receipt.signingDigest(domain)));
    PaymentAuthorization p = client.authorizePayment(forged, PRICE, inAnHour());
    assertThatThrownBy(() -> operator.redeem(forged, p))
        .hasMessage(
            "Escrow: ReceiptSignerMismatch(recovered="
                + impostor.address()
                + ", receiptNode="
                + nodeKey.address()
                + ")");
  }

  @Test
  void redeem_receiptSignedUnderAnotherDomain_reverts() throws Exception {
    // Signed for the default devnet domain (no verifying contract): not this deployment's receipt.
    SignedReceipt other = SignedReceipt.sign(receipt(), ReceiptDomain.DEVNET, nodeKey);
    PaymentAuthorization p = client.authorizePayment(other, PRICE, inAnHour());
    assertThatThrownBy(() -> operator.redeem(other, p))
        .hasMessageStartingWith("Escrow: ")
        .hasMessageMatching(".*(ReceiptSignerMismatch|PaymentReceiptMismatch).*");
  }

  @Test
  void redeem_paymentSignedByNonClient_reverts() throws Exception {
    SignedReceipt r = signed();
    // Names the client but is signed with the stranger's key.
    Instant expiry = inAnHour();
    Bytes rd = r.receipt().signingDigest(chain.deployment.receiptDomain());
    Bytes digest =
        TypedData.paymentDigest(
            chain.deployment.escrowDomain(),
            client.account(),
            nodeKey.address(),
            rd,
            PRICE,
            expiry);
    ReceiptKey strangerKey = ReceiptKey.fromPrivateKey(NodeRegistryTest.privateKey(2));
    PaymentAuthorization claimed =
        new PaymentAuthorization(
            client.account(), nodeKey.address(), rd, PRICE, expiry, strangerKey.sign(digest));
    assertThatThrownBy(() -> operator.redeem(r, claimed))
        .hasMessage(
            "Escrow: PaymentSignerMismatch(recovered="
                + stranger.account()
                + ", client="
                + client.account()
                + ")");
  }

  @Test
  void redeem_byAnotherAccount_reverts() throws Exception {
    SignedReceipt r = signed();
    PaymentAuthorization p = client.authorizePayment(r, PRICE, inAnHour());
    assertThatThrownBy(() -> stranger.redeem(r, p))
        .hasMessage(
            "Escrow: NotNodeOperator(node="
                + nodeKey.address()
                + ", caller="
                + stranger.account()
                + ", operator="
                + operator.account()
                + ")");
  }

  @Test
  void redeem_expired_overBalance_otherReceipt_revert() throws Exception {
    SignedReceipt r = signed();
    Instant past = chain.chainTime().minusSeconds(1);
    assertThatThrownBy(() -> operator.redeem(r, client.authorizePayment(r, PRICE, past)))
        .hasMessageStartingWith(
            "Escrow: PaymentExpired(expiry=" + past.getEpochSecond() + ", time=");
    BigInteger tooMuch = client.escrowBalance(client.account()).add(BigInteger.ONE);
    assertThatThrownBy(() -> operator.redeem(r, client.authorizePayment(r, tooMuch, inAnHour())))
        .hasMessageStartingWith(
            "Escrow: InsufficientBalance(client=" + client.account() + ", balance=");
    SignedReceipt another = signed();
    PaymentAuthorization forAnother = client.authorizePayment(another, PRICE, inAnHour());
    assertThatThrownBy(() -> operator.redeem(r, forAnother))
        .hasMessage(
            "Escrow: PaymentReceiptMismatch(paymentReceiptDigest=0x"
                + forAnother.receiptDigest().toHex()
                + ", receiptDigest=0x"
                + r.receipt().signingDigest(chain.deployment.receiptDomain()).toHex()
                + ")");
  }

  @Test
  void withdraw_onlyAfterDelay_returnsUnspentBalance() throws Exception {
    try (EvmSettlement c = chain.as(8)) {
      assertThatThrownBy(c::withdrawEscrow)
          .hasMessage("Escrow: WithdrawalNotRequested(client=" + c.account() + ")");
      assertThatThrownBy(c::requestEscrowWithdrawal)
          .hasMessage("Escrow: NothingToWithdraw(client=" + c.account() + ")");
      TxResult dep = c.deposit(ETH);
      assertThat(dep.event("Deposited").orElseThrow().arg("balance")).isEqualTo(ETH.toString());
      TxResult req = c.requestEscrowWithdrawal();
      String readyAt = req.event("WithdrawalRequested").orElseThrow().arg("readyAt");
      assertThat(Long.parseLong(readyAt))
          .isEqualTo(
              chain.chainTime().getEpochSecond() + TestChain.PARAMS.escrowWithdrawDelaySeconds());
      assertThatThrownBy(c::withdrawEscrow)
          .hasMessageStartingWith("Escrow: WithdrawalNotReady(readyAt=" + readyAt + ", time=");
      chain.anvil.increaseTime(Duration.ofSeconds(TestChain.PARAMS.escrowWithdrawDelaySeconds()));
      TxResult w = c.withdrawEscrow();
      assertThat(w.event("Withdrawn").orElseThrow().arg("amount")).isEqualTo(ETH.toString());
      assertThat(c.escrowBalance(c.account())).isZero();
    }
  }

  @Test
  void deposit_zero_reverts() {
    assertThatThrownBy(() -> client.deposit(BigInteger.ZERO)).hasMessage("Escrow: ZeroAmount()");
  }

  @Test
  void nodeKeyNeverPrinted() {
    assertThat(TestChain.key(1).toString())
        .contains(TestChain.key(1).address().toString())
        .contains("redacted");
    assertThat(operator.toString())
        .doesNotContain(Bytes.copyOf(NodeRegistryTest.privateKey(1)).toHex());
  }
}
