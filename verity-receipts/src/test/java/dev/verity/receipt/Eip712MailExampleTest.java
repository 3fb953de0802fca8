package dev.verity.receipt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verity.core.Bytes;
import dev.verity.receipt.eth.Eip712;
import dev.verity.receipt.eth.EthAddress;
import dev.verity.receipt.eth.EthSignature;
import dev.verity.receipt.eth.Keccak;
import dev.verity.receipt.eth.Secp256k1;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The "Mail" example of the EIP-712 specification, with its published numbers. */
class Eip712MailExampleTest {
  static final String PERSON = "Person(string name,address wallet)";
  static final String MAIL = "Mail(Person from,Person to,string contents)" + PERSON;

  static Bytes person(String name, String wallet) {
    return Eip712.hashStruct(
        Eip712.typeHash(PERSON), Eip712.string(name), Eip712.address(EthAddress.parse(wallet)));
  }

  static Bytes mailStructHash() {
    return Eip712.hashStruct(
        Eip712.typeHash(MAIL),
        person("Cow", "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826").toByteArray(),
        person("Bob", "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB").toByteArray(),
        Eip712.string("Hello, Bob!"));
  }

  static Bytes domain() {
    return Eip712.domainSeparator(
        "Ether Mail",
        "1",
        BigInteger.ONE,
        EthAddress.parse("0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"));
  }

  @Test
  void mailExample_hashes_matchSpecification() {
    assertThat(Eip712.typeHash(MAIL).toHex())
        .isEqualTo("a0cedeb2dc280ba39b857546d74f5549c3a1d7bdc2dd96bf881f76108e23dac2");
    assertThat(person("Cow", "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826").toHex())
        .isEqualTo("fc71e5fa27ff56c350aa531bc129ebdf613b772b6604664f5d8dbe21b85eb0c8");
    assertThat(domain().toHex())
        .isEqualTo("f2cee375fa42b42143804025fc449deafd50cc031ca257e0b194a650a912090f");
    assertThat(mailStructHash().toHex())
        .isEqualTo("c52c0ee5d84264471806290a3f2c4cecfc5490626bf912d01f240d7a274b371e");
    assertThat(Eip712.digest(domain(), mailStructHash()).toHex())
        .isEqualTo("be609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2");
  }

  @Test
  void mailExample_cowKeySignature_matchesSpecificationAndRecovers() throws Exception {
    byte[] cow = Keccak.keccak256("cow".getBytes(StandardCharsets.UTF_8));
    assertThat(Bytes.copyOf(cow).toHex())
        .isEqualTo("c85ef7d79691fe79573b1a7064c19c1a9819ebdbd1faaab1a8ec92344438aaf4");
    ReceiptKey key = ReceiptKey.fromPrivateKey(cow);
    assertThat(key.address().toChecksumString())
        .isEqualTo("0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826");
    Bytes digest = Eip712.digest(domain(), mailStructHash());
    EthSignature sig = key.sign(digest);
    assertThat(sig.v()).isEqualTo(28);
    assertThat(sig.r().toHex())
        .isEqualTo("4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d");
    assertThat(sig.s().toHex())
        .isEqualTo("07299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b91562");
    assertThat(Secp256k1.recover(digest, sig)).isEqualTo(key.address());
  }

  @Test
  void eip55_specificationExamples_roundTrip() {
    for (String a :
        new String[] {
          "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
          "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
          "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
          "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb"
        }) {
      assertThat(EthAddress.parse(a.toLowerCase()).toChecksumString()).isEqualTo(a);
      assertThat(EthAddress.parse(a).toChecksumString()).isEqualTo(a);
    }
  }

  @Test
  void eip55_wrongChecksum_rejected() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> EthAddress.parse("0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("EIP-55");
  }
}
