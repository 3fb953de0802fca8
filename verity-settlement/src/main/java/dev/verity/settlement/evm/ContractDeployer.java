package dev.verity.settlement.evm;

import dev.verity.receipt.eth.EthAddress;
import dev.verity.settlement.Deployment;
import dev.verity.settlement.DeploymentParameters;
import dev.verity.settlement.SettlementException;
import dev.verity.settlement.TxResult;
import java.math.BigInteger;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Bool;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.abi.datatypes.generated.Uint64;

/**
 * Deploys ModelRegistry, NodeRegistry, LogAnchor and Escrow from the deployer's account and
 * authorises LogAnchor as a slasher of NodeRegistry. The deployer stays the registry's owner (it
 * can authorise the dispute contract later).
 */
public final class ContractDeployer {
  private static final Logger LOG = LoggerFactory.getLogger(ContractDeployer.class);

  private ContractDeployer() {}

  public static Deployment deploy(String rpcUrl, EvmKey deployer, DeploymentParameters params)
      throws SettlementException {
    try (EvmChain chain = EvmChain.connect(rpcUrl, deployer, Duration.ofMinutes(5))) {
      ContractArtifact models = ContractArtifact.load("ModelRegistry");
      ContractArtifact nodes = ContractArtifact.load("NodeRegistry");
      ContractArtifact anchor = ContractArtifact.load("LogAnchor");
      ContractArtifact escrow = ContractArtifact.load("Escrow");

      TxResult first = chain.deploy(models);
      EthAddress modelRegistry = chain.deployedAddress(first);
      EthAddress nodeRegistry =
          chain.deployedAddress(
              chain.deploy(
                  nodes,
                  new Address(modelRegistry.toString()),
                  new Uint256(params.minStakeWei()),
                  new Uint64(params.unbondingDelaySeconds()),
                  new Uint256(params.slashRewardBps())));
      EthAddress logAnchor =
          chain.deployedAddress(chain.deploy(anchor, new Address(nodeRegistry.toString())));
      EthAddress escrowAddress =
          chain.deployedAddress(
              chain.deploy(
                  escrow,
                  new Address(nodeRegistry.toString()),
                  new Uint64(params.escrowWithdrawDelaySeconds())));
      chain.send(
          nodes,
          nodeRegistry,
          "setSlasher",
          BigInteger.ZERO,
          new Address(logAnchor.toString()),
          new Bool(true));
      Deployment d =
          new Deployment(
              chain.chainId(),
              modelRegistry,
              nodeRegistry,
              logAnchor,
              escrowAddress,
              first.blockNumber(),
              params);
      LOG.info(
          "deployed Verity contracts on chain {}: NodeRegistry {}, ModelRegistry {}, LogAnchor {}, Escrow {}",
          d.chainId(),
          nodeRegistry,
          modelRegistry,
          logAnchor,
          escrowAddress);
      return d;
    }
  }

  /**
   * Deploys DisputeManager for an existing deployment and authorises it as a slasher of
   * NodeRegistry ({@code owner} must be the registry's owner). The address is not part of the
   * deployment file format {@value Deployment#FORMAT}; callers keep it next to it.
   */
  public static EthAddress deployDisputeManager(
      String rpcUrl,
      EvmKey owner,
      Deployment deployment,
      dev.verity.settlement.dispute.DisputeParameters params)
      throws SettlementException {
    EthAddress address = EvmDisputes.deploy(rpcUrl, deployment, owner, params);
    LOG.info(
        "deployed DisputeManager {} on chain {} (slasher of NodeRegistry)",
        address,
        deployment.chainId());
    return address;
  }
}
