package dev.verity.settlement.evm;

import dev.verity.settlement.Deployment;
import dev.verity.settlement.DeploymentParameters;
import dev.verity.settlement.SettlementException;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Deploys the Verity contracts to any EVM JSON-RPC endpoint with the deployer's own key and writes
 * the deployment file:
 *
 * <pre>
 * java -cp ... dev.verity.settlement.evm.DeployMain --rpc URL --key-file FILE --out deployment.json
 *     [--min-stake-wei N] [--unbonding-delay-seconds N] [--slash-reward-bps N]
 *     [--escrow-withdraw-delay-seconds N]
 * </pre>
 *
 * The key file holds 64 hex digits and must not be readable by group or others; the key is never
 * accepted on the command line, where other users could see it.
 */
public final class DeployMain {
  private static final Set<String> OPTIONS =
      Set.of(
          "--rpc",
          "--key-file",
          "--out",
          "--min-stake-wei",
          "--unbonding-delay-seconds",
          "--slash-reward-bps",
          "--escrow-withdraw-delay-seconds");

  private DeployMain() {}

  public static void main(String[] args) {
    int status = run(args, System.out, System.err);
    if (status != 0) {
      System.exit(status);
    }
  }

  /** 0 on success, 2 for bad usage or files, 3 when the chain refused. */
  static int run(String[] args, java.io.PrintStream out, java.io.PrintStream err) {
    try {
      Map<String, String> o = parse(args);
      DeploymentParameters d = DeploymentParameters.DEVNET;
      DeploymentParameters params =
          new DeploymentParameters(
              new BigInteger(o.getOrDefault("--min-stake-wei", d.minStakeWei().toString())),
              Long.parseLong(
                  o.getOrDefault("--unbonding-delay-seconds", "" + d.unbondingDelaySeconds())),
              Integer.parseInt(o.getOrDefault("--slash-reward-bps", "" + d.slashRewardBps())),
              Long.parseLong(
                  o.getOrDefault(
                      "--escrow-withdraw-delay-seconds", "" + d.escrowWithdrawDelaySeconds())));
      EvmKey key = EvmKey.load(Path.of(require(o, "--key-file")));
      Deployment deployment = ContractDeployer.deploy(require(o, "--rpc"), key, params);
      Path file = Path.of(require(o, "--out"));
      deployment.write(file);
      out.print(deployment.toJson());
      err.println("deployment written to " + file);
      return 0;
    } catch (IllegalArgumentException | IOException | SettlementException e) {
      err.println("deploy: " + e.getMessage());
      return e instanceof SettlementException ? 3 : 2;
    }
  }

  static Map<String, String> parse(String[] args) {
    Map<String, String> out = new HashMap<>();
    for (int i = 0; i < args.length; i += 2) {
      if (!OPTIONS.contains(args[i])) {
        throw new IllegalArgumentException("unknown option " + args[i] + "; options: " + OPTIONS);
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("option " + args[i] + " needs a value");
      }
      out.put(args[i], args[i + 1]);
    }
    return out;
  }

  private static String require(Map<String, String> o, String k) {
    String v = o.get(k);
    if (v == null) {
      throw new IllegalArgumentException("missing option " + k);
    }
    return v;
  }
}
