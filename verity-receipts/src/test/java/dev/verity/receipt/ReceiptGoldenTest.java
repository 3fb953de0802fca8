package dev.verity.receipt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.core.Bytes;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Golden vectors pinned in src/test/resources/receipts (also recomputed independently). */
class ReceiptGoldenTest {
  static String resource(String name) throws IOException {
    try (InputStream in = ReceiptGoldenTest.class.getResourceAsStream("/receipts/" + name)) {
      if (in == null) {
        throw new IOException("missing test resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  static Properties vectors() throws IOException {
    Properties p = new Properties();
    p.load(new StringReader(resource("golden-vectors.properties")));
    return p;
  }

  @Test
  void goldenReceipt_hashesAndSignature_matchPinnedVectors() throws Exception {
    Properties v = vectors();
    SignedReceipt g = ReceiptFixtures.goldenSigned();
    assertThat(Receipt.TYPEHASH.toHex()).isEqualTo(v.getProperty("typeHash"));
    assertThat(g.domain().separator().toHex()).isEqualTo(v.getProperty("domainSeparator"));
    assertThat(g.receipt().structHash().toHex()).isEqualTo(v.getProperty("structHash"));
    assertThat(g.receipt().signingDigest(g.domain()).toHex()).isEqualTo(v.getProperty("digest"));
    assertThat(g.signature().toBytes().toHex()).isEqualTo(v.getProperty("signature"));
    assertThat(g.receipt().node().toChecksumString()).isEqualTo(v.getProperty("node"));
    assertThat(g.canonicalBytes().toHex()).isEqualTo(v.getProperty("canonical"));
    assertThat(g.leafHash().toHex()).isEqualTo(v.getProperty("leafHash"));
    g.verify();
  }

  @Test
  void goldenJson_parsesToGoldenReceipt_andVerifies() throws Exception {
    SignedReceipt parsed = ReceiptJson.parse(resource("golden-receipt.json"));
    assertThat(parsed).isEqualTo(ReceiptFixtures.goldenSigned());
    assertThat(ReceiptJson.toJson(parsed) + "\n").isEqualTo(resource("golden-receipt.json"));
    parsed.verify();
  }

  @Test
  void canonicalBytes_decodeToSameReceipt() {
    Properties v;
    try {
      v = vectors();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    SignedReceipt decoded = ReceiptCodec.decode(Bytes.fromHex(v.getProperty("canonical")));
    assertThat(decoded).isEqualTo(ReceiptFixtures.goldenSigned());
  }

  static Stream<String> negativeFixtures() {
    return ReceiptFixtures.negatives().keySet().stream();
  }

  @ParameterizedTest
  @MethodSource("negativeFixtures")
  void verify_negativeFixture_throws(String name) throws Exception {
    SignedReceipt bad = ReceiptJson.parse(resource("negative/" + name + ".json"));
    assertThat(bad).isEqualTo(ReceiptFixtures.negatives().get(name));
    assertThatThrownBy(bad::verify)
        .isInstanceOf(ReceiptSignatureException.class)
        .hasMessageContaining("bad receipt signature");
  }

  @Test
  void verify_highS_namesMalleability() throws Exception {
    SignedReceipt bad = ReceiptJson.parse(resource("negative/high-s.json"));
    assertThatThrownBy(bad::verify).hasMessageContaining("high-s");
  }

  @Test
  void verify_badV_namesV() throws Exception {
    assertThatThrownBy(ReceiptJson.parse(resource("negative/bad-v-29.json"))::verify)
        .hasMessageContaining("v must be 27 or 28");
    assertThatThrownBy(ReceiptJson.parse(resource("negative/bad-v-0.json"))::verify)
        .hasMessageContaining("v must be 27 or 28");
  }

  @Test
  void verify_wrongSigner_namesBothAddresses() throws Exception {
    SignedReceipt bad = ReceiptJson.parse(resource("negative/wrong-signer.json"));
    assertThatThrownBy(bad::verify)
        .hasMessageContaining(ReceiptFixtures.otherKey().address().toChecksumString())
        .hasMessageContaining(ReceiptFixtures.goldenKey().address().toChecksumString());
  }

  @Test
  void sign_keyNotMatchingNode_rejected() {
    assertThatThrownBy(
            () ->
                SignedReceipt.sign(
                    ReceiptFixtures.goldenReceipt(),
                    ReceiptDomain.DEVNET,
                    ReceiptFixtures.otherKey()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("key belongs to");
  }

  @Test
  void sign_isDeterministic() {
    assertThat(ReceiptFixtures.goldenSigned().signature())
        .isEqualTo(ReceiptFixtures.goldenSigned().signature());
  }
}
