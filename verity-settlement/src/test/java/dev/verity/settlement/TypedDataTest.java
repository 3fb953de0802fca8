package dev.verity.settlement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verity.core.Bytes;
import dev.verity.receipt.ReceiptDomain;
import dev.verity.receipt.ReceiptKey;
import dev.verity.receipt.eth.EthAddress;
import dev.verity.receipt.eth.EthSignature;
import dev.verity.receipt.eth.Keccak;
import dev.verity.receipt.eth.Secp256k1;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Properties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TypedDataTest {
  private static final Properties GOLDEN = new Properties();
  private static final Bytes RECEIPT_DIGEST = Bytes.copyOf(filled((byte) 0xaa));
  private static final BigInteger AMOUNT = BigInteger.TEN.pow(16);
  private static final Instant EXPIRY = Instant.ofEpochSecond(1_764_000_000L);

  @BeforeAll
  static void load() throws Exception {
    try (InputStream in =
        TypedDataTest.class.getResourceAsStream("/settlement/golden-typed-data.properties")) {
      GOLDEN.load(in);
    }
  }

  private static Bytes golden(String k) {
    return Bytes.fromHex(GOLDEN.getProperty(k));
  }

  private static EthAddress addr(String k) {
    return EthAddress.parse(GOLDEN.getProperty(k));
  }

  private static ReceiptDomain domain(String k) {
    return new ReceiptDomain(31337, addr(k));
  }

  @Test
  void typeHashes_matchGolden() {
    assertThat(TypedData.NODE_KEY_TYPEHASH).isEqualTo(golden("nodeKeyTypeHash"));
    assertThat(TypedData.PAYMENT_TYPEHASH).isEqualTo(golden("paymentTypeHash"));
  }

  @Test
  void domains_matchGolden() {
    assertThat(domain("registry").separator()).isEqualTo(golden("registryDomain"));
    assertThat(domain("escrow").separator()).isEqualTo(golden("escrowDomain"));
  }

  @Test
  void nodeKeyDigest_matchesGolden_andChangesWithEveryMember() {
    Bytes d = TypedData.nodeKeyDigest(domain("registry"), addr("operator"), addr("node"));
    assertThat(d).isEqualTo(golden("nodeKeyDigest"));
    assertThat(TypedData.nodeKeyDigest(domain("registry"), addr("node"), addr("operator")))
        .isNotEqualTo(d);
    assertThat(TypedData.nodeKeyDigest(domain("escrow"), addr("operator"), addr("node")))
        .isNotEqualTo(d);
    assertThat(
            TypedData.nodeKeyDigest(
                new ReceiptDomain(1, addr("registry")), addr("operator"), addr("node")))
        .isNotEqualTo(d);
  }

  @Test
  void paymentDigest_matchesGolden_andChangesWithEveryMember() {
    Bytes d = payment(addr("operator"), addr("node"), RECEIPT_DIGEST, AMOUNT, EXPIRY, "escrow");
    assertThat(d).isEqualTo(golden("paymentDigest"));
    assertThat(payment(addr("node"), addr("node"), RECEIPT_DIGEST, AMOUNT, EXPIRY, "escrow"))
        .isNotEqualTo(d);
    assertThat(
            payment(addr("operator"), addr("operator"), RECEIPT_DIGEST, AMOUNT, EXPIRY, "escrow"))
        .isNotEqualTo(d);
    assertThat(
            payment(
                addr("operator"),
                addr("node"),
                Bytes.copyOf(new byte[32]),
                AMOUNT,
                EXPIRY,
                "escrow"))
        .isNotEqualTo(d);
    assertThat(
            payment(
                addr("operator"),
                addr("node"),
                RECEIPT_DIGEST,
                AMOUNT.add(BigInteger.ONE),
                EXPIRY,
                "escrow"))
        .isNotEqualTo(d);
    assertThat(
            payment(
                addr("operator"),
                addr("node"),
                RECEIPT_DIGEST,
                AMOUNT,
                EXPIRY.plusSeconds(1),
                "escrow"))
        .isNotEqualTo(d);
    assertThat(payment(addr("operator"), addr("node"), RECEIPT_DIGEST, AMOUNT, EXPIRY, "registry"))
        .isNotEqualTo(d);
  }

  @Test
  void signNodeKey_recoversToTheNodeKey_andNotForAnotherOperator() throws Exception {
    ReceiptKey key =
        ReceiptKey.fromPrivateKey(
            Keccak.keccak256("verity golden receipt key".getBytes(StandardCharsets.UTF_8)));
    EthSignature sig = TypedData.signNodeKey(key, domain("registry"), addr("operator"));
    Bytes digest = TypedData.nodeKeyDigest(domain("registry"), addr("operator"), key.address());
    assertThat(Secp256k1.recover(digest, sig)).isEqualTo(key.address());
    Bytes other = TypedData.nodeKeyDigest(domain("registry"), addr("node"), key.address());
    assertThat(Secp256k1.recover(other, sig)).isNotEqualTo(key.address());
  }

  private static Bytes payment(
      EthAddress client,
      EthAddress node,
      Bytes rd,
      BigInteger amount,
      Instant expiry,
      String domainKey) {
    return TypedData.paymentDigest(domain(domainKey), client, node, rd, amount, expiry);
  }

  private static byte[] filled(byte b) {
    byte[] out = new byte[32];
    java.util.Arrays.fill(out, b);
    return out;
  }
}
