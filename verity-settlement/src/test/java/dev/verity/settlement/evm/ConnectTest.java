package dev.verity.settlement.evm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.receipt.eth.EthAddress;
import dev.verity.settlement.Deployment;
import dev.verity.settlement.SettlementException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ConnectTest {
  private static TestChain chain;

  @BeforeAll
  static void start() throws Exception {
    chain = TestChain.start();
  }

  @AfterAll
  static void stop() {
    chain.close();
  }

  @Test
  void connect_deploymentOfAnotherChain_isRefused() {
    Deployment d = chain.deployment;
    Deployment other =
        new Deployment(
            1, d.modelRegistry(), d.nodeRegistry(), d.logAnchor(), d.escrow(), 0, d.parameters());
    assertThatThrownBy(() -> EvmSettlement.connect(chain.anvil.rpcUrl(), other, TestChain.key(1)))
        .isInstanceOf(SettlementException.class)
        .hasMessage(
            "the endpoint "
                + chain.anvil.rpcUrl()
                + " serves chain 31337 but the deployment is on chain 1");
  }

  @Test
  void connect_addressWithoutCode_isRefused() {
    Deployment d = chain.deployment;
    EthAddress empty = TestChain.key(3).address();
    Deployment wrong =
        new Deployment(
            d.chainId(),
            d.modelRegistry(),
            d.nodeRegistry(),
            d.logAnchor(),
            empty,
            0,
            d.parameters());
    assertThatThrownBy(() -> EvmSettlement.connect(chain.anvil.rpcUrl(), wrong, TestChain.key(1)))
        .hasMessage("no contract at the Escrow address " + empty + " on chain 31337");
  }

  @Test
  void connect_unreachableEndpoint_saysWhere() {
    assertThatThrownBy(
            () -> EvmSettlement.connect("http://127.0.0.1:1", chain.deployment, TestChain.key(1)))
        .hasMessageStartingWith("cannot reach an EVM JSON-RPC endpoint at http://127.0.0.1:1");
  }

  @Test
  void deployment_wiresLogAnchorAsTheOnlySlasher() throws Exception {
    try (EvmChain c = chain.chain(0)) {
      ContractArtifact reg = ContractArtifact.load("NodeRegistry");
      assertThat(
              c.call(
                      reg,
                      chain.deployment.nodeRegistry(),
                      "isSlasher",
                      new org.web3j.abi.datatypes.Address(chain.deployment.logAnchor().toString()))
                  .getFirst()
                  .getValue())
          .isEqualTo(true);
      assertThat(
              c.call(
                      reg,
                      chain.deployment.nodeRegistry(),
                      "isSlasher",
                      new org.web3j.abi.datatypes.Address(chain.deployment.escrow().toString()))
                  .getFirst()
                  .getValue())
          .isEqualTo(false);
      assertThat(c.call(reg, chain.deployment.nodeRegistry(), "owner").getFirst().toString())
          .isEqualToIgnoringCase(TestChain.key(0).address().toString());
    }
  }
}
