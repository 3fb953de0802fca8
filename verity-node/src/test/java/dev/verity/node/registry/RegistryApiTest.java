package dev.verity.node.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.engine.NumericMode;
import dev.verity.node.VerityNode;
import dev.verity.node.config.NetworkConfig;
import dev.verity.node.config.NodeConfig;
import dev.verity.node.http.Json;
import dev.verity.receipt.Receipt;
import dev.verity.receipt.ReceiptKey;
import dev.verity.receipt.SignedReceipt;
import dev.verity.receipt.VerificationPolicy;
import dev.verity.receipt.eth.EthAddress;
import dev.verity.settlement.Deployment;
import dev.verity.settlement.DeploymentParameters;
import dev.verity.settlement.anvil.AnvilProcess;
import dev.verity.settlement.dispute.DisputeParameters;
import dev.verity.settlement.evm.ContractDeployer;
import dev.verity.settlement.evm.EvmDisputes;
import dev.verity.settlement.evm.EvmKey;
import dev.verity.settlement.evm.EvmSettlement;
import java.math.BigInteger;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry, dispute and slash endpoints over real sockets, reading a real Anvil chain. */
class RegistryApiTest {
  static final BigInteger ETH = BigInteger.TEN.pow(18);
  static final BigInteger BOND = ETH.divide(BigInteger.TEN);
  static final int LEAVES = 12;
  static final Digest MODEL = Digest.of(Bytes.utf8("registry api model"));
  final HttpClient http = HttpClient.newHttpClient();

  static EvmKey key(int i) {
    return EvmKey.fromMnemonic(AnvilProcess.MNEMONIC, i);
  }

  static Bytes sha(byte[]... parts) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    for (byte[] p : parts) {
      md.update(p);
    }
    return Bytes.copyOf(md.digest());
  }

  /** RFC 9162 Merkle tree hash of leaves [from, to). */
  static Bytes root(List<Bytes> h, int from, int to) throws Exception {
    if (to - from == 1) {
      return h.get(from);
    }
    int k = Integer.highestOneBit(to - from - 1);
    return sha(
        new byte[] {1}, root(h, from, from + k).toByteArray(), root(h, from + k, to).toByteArray());
  }

  static List<Bytes> trace(int lieAt) throws Exception {
    List<Bytes> out = new ArrayList<>();
    for (int i = 0; i < LEAVES; i++) {
      out.add(sha(new byte[] {0}, ((i == lieAt ? "lie " : "leaf ") + i).getBytes()));
    }
    return out;
  }

  JsonNode get(VerityNode node, String path, int status) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(node.url().resolve(path)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(path + " " + r.body()).isEqualTo(status);
    return Json.MAPPER.readTree(r.body());
  }

  @Test
  void onChain_nodesDisputesAndSlashes_servedFromRegistryAndEvents(@TempDir Path dir)
      throws Exception {
    try (AnvilProcess anvil = AnvilProcess.start()) {
      String rpc = anvil.rpcUrl();
      Deployment dep =
          ContractDeployer.deploy(rpc, key(0), new DeploymentParameters(ETH, 3600, 5_000, 3600));
      EthAddress manager =
          ContractDeployer.deployDisputeManager(
              rpc, key(0), dep, new DisputeParameters(BOND, 100, 100, 3, 10_000));
      EthDisputeSetup setup = new EthDisputeSetup(rpc, dep);
      setup.dm = manager;
      setup.publishAndRegister();
      Path depFile = dir.resolve("deployment.json");
      Files.writeString(depFile, dep.toJson());
      Path keyFile = dir.resolve("operator.key");
      key(0).save(keyFile);
      NodeConfig cfg =
          NodeConfig.ephemeral(dir.resolve("node"))
              .withNetwork(
                  new NetworkConfig(
                      rpc,
                      depFile.toString(),
                      keyFile.toString(),
                      BigInteger.ZERO,
                      Duration.ofSeconds(1),
                      Duration.ofSeconds(600),
                      List.of(),
                      List.of(),
                      "http://127.0.0.1:1"));
      try (VerityNode node = VerityNode.start(cfg)) {
        String self = node.services().receipts().address().toChecksumString();
        // Before any dispute: four nodes (this one registered itself), none slashed.
        JsonNode nodes = get(node, "/v1/network/nodes", 200);
        assertThat(nodes.get("chainId").asLong()).isEqualTo(AnvilProcess.CHAIN_ID);
        assertThat(nodes.get("heartbeatMaxAgeSeconds").asLong()).isEqualTo(3);
        assertThat(nodes.get("nodes")).hasSize(4);
        JsonNode me = find(nodes.get("nodes"), "node", self);
        assertThat(me.get("self").asBoolean()).isTrue();
        assertThat(me.get("operator").asText()).isEqualTo(key(0).address().toChecksumString());
        assertThat(me.get("endpoint").asText()).isEqualTo("http://127.0.0.1:1");
        assertThat(me.get("stakeWei").asText()).isEqualTo(ETH.toString());
        assertThat(me.get("receiptsServed").asLong())
            .isEqualTo(node.services().receipts().log().size());
        JsonNode provider =
            find(nodes.get("nodes"), "node", setup.provider.address().toChecksumString());
        assertThat(provider.get("operator").asText())
            .isEqualTo(key(1).address().toChecksumString());
        assertThat(provider.get("stakeWei").asText())
            .isEqualTo(ETH.multiply(BigInteger.TWO).toString());
        assertThat(provider.get("active").asBoolean()).isTrue();
        assertThat(provider.get("banned").asBoolean()).isFalse();
        assertThat(provider.get("receiptsServed").isNull()).isTrue();
        assertThat(provider.at("/models/0/digest").asText()).isEqualTo(MODEL.toString());
        assertThat(provider.at("/models/0/name").asText()).isEqualTo("registry-model");
        assertThat(provider.at("/models/0/version").asText()).isEqualTo("3");
        assertThat(get(node, "/v1/slashes", 200).get("slashes")).isEmpty();

        Bytes id = setup.disputeAndTimeOut(anvil);
        String idHex = "0x" + id.toHex();

        JsonNode disputes = get(node, "/v1/disputes", 200);
        assertThat(disputes.get("disputeManagers")).hasSize(1);
        assertThat(disputes.at("/disputeManagers/0").asText())
            .isEqualTo(manager.toChecksumString());
        JsonNode d = disputes.at("/disputes/0");
        assertThat(d.get("id").asText()).isEqualTo(idHex);
        assertThat(d.get("provider").asText())
            .isEqualTo(setup.provider.address().toChecksumString());
        assertThat(d.get("providerOperator").asText())
            .isEqualTo(key(1).address().toChecksumString());
        assertThat(d.get("challenger").asText()).isEqualTo(key(5).address().toChecksumString());
        assertThat(d.get("bondWei").asText()).isEqualTo(BOND.toString());
        assertThat(d.get("leafCount").asLong()).isEqualTo(LEAVES);
        assertThat(d.get("status").asText()).isEqualTo("resolved");
        assertThat(d.get("outcome").asText()).isEqualTo("challenger-correct");
        assertThat(d.get("resolution").asText()).isEqualTo("provider-timed-out");
        assertThat(new BigInteger(d.get("slashedWei").asText())).isPositive();
        assertThat(d.get("resolvedBlock").asLong()).isGreaterThan(d.get("openedBlock").asLong());
        assertThat(d.get("openedAt").asText()).endsWith("Z");

        JsonNode slashes = get(node, "/v1/slashes", 200);
        JsonNode s = slashes.at("/slashes/0");
        assertThat(slashes.get("slashes")).hasSize(1);
        assertThat(s.get("node").asText()).isEqualTo(setup.provider.address().toChecksumString());
        assertThat(s.get("cause").asText()).isEqualTo("dispute");
        assertThat(s.get("disputeId").asText()).isEqualTo(idHex);
        assertThat(s.get("slashedWei").asText()).isEqualTo(d.get("slashedWei").asText());
        assertThat(s.get("banned").asBoolean()).isTrue();
        assertThat(slashes.get("totalSlashedWei").asText()).isEqualTo(s.get("slashedWei").asText());

        // After the dispute the provider is banned and, after the clock jump, not active; this
        // node keeps heartbeating and becomes active again.
        await()
            .atMost(Duration.ofSeconds(15))
            .untilAsserted(
                () -> {
                  JsonNode after = get(node, "/v1/network/nodes", 200);
                  JsonNode p =
                      find(after.get("nodes"), "node", setup.provider.address().toChecksumString());
                  assertThat(p.get("banned").asBoolean()).isTrue();
                  assertThat(p.get("active").asBoolean()).isFalse();
                  assertThat(find(after.get("nodes"), "node", self).get("active").asBoolean())
                      .isTrue();
                });
      }
    }
  }

  @Test
  void offChain_everyRouteIs503WithReason(@TempDir Path dir) throws Exception {
    try (VerityNode node = VerityNode.start(NodeConfig.ephemeral(dir))) {
      for (String p : List.of("/v1/network/nodes", "/v1/disputes", "/v1/slashes")) {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(node.url().resolve(p)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(p).isEqualTo(503);
        assertThat(r.headers().firstValue("content-type").orElse(""))
            .startsWith("application/problem+json");
        assertThat(r.body()).contains("chain-rpc-url").contains("no-chain");
      }
    }
  }

  static JsonNode find(JsonNode list, String field, String value) {
    for (JsonNode n : list) {
      if (n.get(field).asText().equals(value)) {
        return n;
      }
    }
    throw new AssertionError("no entry with " + field + " = " + value + " in " + list);
  }

  /** Chain actors: a publisher, a provider (operator 1), two other nodes, a challenger. */
  static final class EthDisputeSetup {
    final String rpc;
    final Deployment dep;
    final ReceiptKey provider = ReceiptKey.generate(new SecureRandom());
    EthAddress dm;

    EthDisputeSetup(String rpc, Deployment dep) {
      this.rpc = rpc;
      this.dep = dep;
    }

    void publishAndRegister() throws Exception {
      try (EvmSettlement pub = EvmSettlement.connect(rpc, dep, key(9))) {
        pub.registerModel(
            MODEL, "registry-model", "3", Digest.of(Bytes.utf8("ed25519 key")).value());
      }
      try (EvmSettlement op1 = EvmSettlement.connect(rpc, dep, key(1))) {
        op1.registerNode(
            provider, "http://127.0.0.1:9101", List.of(MODEL), ETH.multiply(BigInteger.TWO));
      }
      for (int acct = 2; acct <= 3; acct++) {
        try (EvmSettlement op = EvmSettlement.connect(rpc, dep, key(acct))) {
          op.registerNode(
              ReceiptKey.generate(new SecureRandom()),
              "http://127.0.0.1:910" + acct,
              List.of(MODEL),
              ETH);
        }
      }
    }

    /** A receipt with a lying trace, disputed by account 5; the provider never answers. */
    Bytes disputeAndTimeOut(AnvilProcess anvil) throws Exception {
      List<Bytes> lying = trace(9);
      List<Bytes> honest = trace(-1);
      Receipt r =
          Receipt.builder()
              .model(MODEL)
              .engine(
                  "strict", "0.1.0", Digest.of(Bytes.utf8("engine config")), NumericMode.BITWISE)
              .input(Digest.of(Bytes.utf8("input")))
              .output(Digest.of(Bytes.utf8("output")))
              .trace(new Digest(root(lying, 0, LEAVES)), LEAVES)
              .node(provider.address())
              .requestId("registry-dispute-1")
              .timeMillis(1_764_000_000_000L)
              .policy(VerificationPolicy.parse("sample:0.5"))
              .seed(7)
              .build();
      SignedReceipt signed = SignedReceipt.sign(r, dep.receiptDomain(), provider);
      EthAddress manager = disputeManager();
      try (EvmDisputes challenger = EvmDisputes.connect(rpc, dep, manager, key(5));
          EvmDisputes stranger = EvmDisputes.connect(rpc, dep, manager, key(6))) {
        Bytes id =
            challenger
                .open(
                    signed,
                    new Digest(root(honest, 0, LEAVES)),
                    LEAVES,
                    Digest.of(Bytes.utf8("output")),
                    BOND)
                .id();
        challenger.move(id, root(honest, 0, 8), root(honest, 8, LEAVES));
        anvil.increaseTime(Duration.ofSeconds(101));
        anvil.mine();
        stranger.timeout(id);
        return id;
      }
    }

    EthAddress disputeManager() throws Exception {
      if (dm == null) {
        try (ChainLogs logs = new ChainLogs(rpc)) {
          List<ChainLogs.Event> set =
              logs.logs(
                  dep.deployedAtBlock(),
                  List.of(dep.nodeRegistry()),
                  List.of(RegistryFeature.SLASHER_SET));
          List<EthAddress> all = new ArrayList<>();
          for (ChainLogs.Event e : set) {
            all.add(e.topicAddress(1));
          }
          all.remove(dep.logAnchor());
          dm = all.getFirst();
        }
      }
      return dm;
    }
  }
}
