package dev.verity.settlement.evm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.settlement.ModelInfo;
import dev.verity.settlement.SettlementException;
import dev.verity.settlement.TxResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ModelRegistryTest {
  private static TestChain chain;
  private static EvmSettlement publisher;
  private static EvmSettlement other;

  @BeforeAll
  static void start() throws Exception {
    chain = TestChain.start();
    publisher = chain.as(4);
    other = chain.as(5);
  }

  @AfterAll
  static void stop() {
    chain.close();
  }

  @Test
  void register_thenLookupByDigestAndByNameVersion() throws Exception {
    Digest d = TestChain.digest("model a 1");
    Bytes key = TestChain.ed25519Key("a");
    TxResult tx = publisher.registerModel(d, "model-a", "1.0", key);

    assertThat(tx.event("ModelRegistered").orElseThrow().args())
        .containsEntry("digest", "0x" + d.hex())
        .containsEntry("publisher", publisher.account().toString())
        .containsEntry("publisherKey", "0x" + key.toHex())
        .containsEntry("name", "model-a")
        .containsEntry("version", "1.0");
    ModelInfo m = other.model(d).orElseThrow();
    assertThat(m.publisher()).isEqualTo(publisher.account());
    assertThat(m.publisherKey()).isEqualTo(key);
    assertThat(m.name()).isEqualTo("model-a");
    assertThat(m.version()).isEqualTo("1.0");
    assertThat(m.registeredAt()).isEqualTo(chain.chainTime());
    assertThat(other.model("model-a", "1.0")).contains(m);
  }

  @Test
  void lookup_unknown_isEmpty() throws Exception {
    assertThat(other.model(TestChain.digest("nothing"))).isEmpty();
    assertThat(other.model("nothing", "1")).isEmpty();
  }

  @Test
  void register_sameNameVersionWithAnotherDigest_revertsNamingTheRegisteredDigest()
      throws Exception {
    Digest first = TestChain.digest("model b 1");
    publisher.registerModel(first, "model-b", "1", TestChain.ed25519Key("b"));
    Digest second = TestChain.digest("model b 1 substituted");
    assertThatThrownBy(() -> other.registerModel(second, "model-b", "1", TestChain.ed25519Key("x")))
        .isInstanceOf(SettlementException.class)
        .hasMessage(
            "ModelRegistry: VersionTaken(name=model-b, version=1, registeredDigest=0x"
                + first.hex()
                + ")");
    assertThat(other.model("model-b", "1").orElseThrow().digest()).isEqualTo(first);
    assertThat(other.model(second)).isEmpty();
  }

  @Test
  void register_sameDigestTwice_reverts() throws Exception {
    Digest d = TestChain.digest("model c");
    publisher.registerModel(d, "model-c", "1", TestChain.ed25519Key("c"));
    assertThatThrownBy(() -> publisher.registerModel(d, "model-c", "2", TestChain.ed25519Key("c")))
        .hasMessage(
            "ModelRegistry: ModelAlreadyRegistered(digest=0x"
                + d.hex()
                + ", publisher="
                + publisher.account()
                + ", name=model-c, version=1)");
  }

  @Test
  void register_newVersionOfSameName_isAllowed() throws Exception {
    publisher.registerModel(
        TestChain.digest("model d 1"), "model-d", "1", TestChain.ed25519Key("d"));
    publisher.registerModel(
        TestChain.digest("model d 2"), "model-d", "2", TestChain.ed25519Key("d"));
    assertThat(other.model("model-d", "2").orElseThrow().digest())
        .isEqualTo(TestChain.digest("model d 2"));
  }

  @Test
  void register_badInput_revertsWithReason() {
    Bytes key = TestChain.ed25519Key("e");
    assertThatThrownBy(() -> publisher.registerModel(TestChain.digest("e"), "", "1", key))
        .hasMessage("ModelRegistry: BadName(reason=name must have 1 to 128 characters)");
    assertThatThrownBy(() -> publisher.registerModel(TestChain.digest("e"), "has space", "1", key))
        .hasMessage("ModelRegistry: BadName(reason=name must be printable ASCII without spaces)");
    assertThatThrownBy(
            () -> publisher.registerModel(TestChain.digest("e"), "e", "x".repeat(65), key))
        .hasMessage("ModelRegistry: BadVersion(reason=version must have 1 to 64 characters)");
    assertThatThrownBy(
            () -> publisher.registerModel(new Digest(Bytes.copyOf(new byte[32])), "e", "1", key))
        .hasMessage("ModelRegistry: ZeroDigest()");
    assertThatThrownBy(
            () ->
                publisher.registerModel(
                    TestChain.digest("e"), "e", "1", Bytes.copyOf(new byte[32])))
        .hasMessage("ModelRegistry: ZeroPublisherKey()");
  }
}
