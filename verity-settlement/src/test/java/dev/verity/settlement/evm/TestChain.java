package dev.verity.settlement.evm;

import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.settlement.Deployment;
import dev.verity.settlement.DeploymentParameters;
import dev.verity.settlement.SettlementException;
import dev.verity.settlement.anvil.AnvilProcess;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/** One Anvil with a fresh Verity deployment, shared by the tests of one class. */
final class TestChain implements AutoCloseable {
  static final BigInteger ETH = BigInteger.TEN.pow(18);
  static final DeploymentParameters PARAMS = new DeploymentParameters(ETH, 1_000, 5_000, 500);

  final AnvilProcess anvil;
  final Deployment deployment;
  private final List<EvmSettlement> open = new ArrayList<>();

  private TestChain(AnvilProcess anvil, Deployment deployment) {
    this.anvil = anvil;
    this.deployment = deployment;
  }

  static TestChain start() throws IOException, SettlementException {
    AnvilProcess anvil = AnvilProcess.start();
    try {
      return new TestChain(anvil, ContractDeployer.deploy(anvil.rpcUrl(), key(0), PARAMS));
    } catch (SettlementException | RuntimeException e) {
      anvil.close();
      throw e;
    }
  }

  private static final java.util.Map<Integer, EvmKey> KEYS =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** Derivation from the mnemonic costs a PBKDF2 run; each account is derived once. */
  static EvmKey key(int account) {
    return KEYS.computeIfAbsent(account, i -> EvmKey.fromMnemonic(AnvilProcess.MNEMONIC, i));
  }

  /** A client for Anvil account {@code i} (0 is the deployer and registry owner). */
  EvmSettlement as(int account) throws SettlementException {
    EvmSettlement s = EvmSettlement.connect(anvil.rpcUrl(), deployment, key(account));
    open.add(s);
    return s;
  }

  EvmChain chain(int account) throws SettlementException {
    EvmChain c = EvmChain.connect(anvil.rpcUrl(), key(account), java.time.Duration.ofSeconds(30));
    c.name(deployment.nodeRegistry(), "NodeRegistry");
    c.name(deployment.modelRegistry(), "ModelRegistry");
    c.name(deployment.logAnchor(), "LogAnchor");
    c.name(deployment.escrow(), "Escrow");
    return c;
  }

  /** Timestamp of the latest block (tests move the chain clock). */
  java.time.Instant chainTime() throws IOException {
    String block = anvil.rpc("eth_getBlockByNumber", "[\"latest\", false]");
    int i = block.indexOf("\"timestamp\":\"0x") + 15;
    return java.time.Instant.ofEpochSecond(
        Long.parseLong(block.substring(i, block.indexOf('"', i)), 16));
  }

  static Digest digest(String label) {
    return Digest.of(Bytes.utf8(label));
  }

  static Bytes ed25519Key(String label) {
    return Digest.of(Bytes.utf8("ed25519 " + label)).value();
  }

  @Override
  public void close() {
    open.forEach(EvmSettlement::close);
    anvil.close();
  }
}
