package dev.verity.explorer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.engine.NumericMode;
import dev.verity.node.VerityNode;
import dev.verity.node.config.NetworkConfig;
import dev.verity.node.config.NodeConfig;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The Nodes and Disputes pages of a node joined to a real Anvil chain: registered nodes with their
 * stake, and a dispute the provider let time out with its slash, as read from the node's {@code
 * /v1/network/nodes}, {@code /v1/disputes} and {@code /v1/slashes}.
 */
class ExplorerNetworkBrowserTest {
  static final BigInteger ETH = BigInteger.TEN.pow(18);
  static final BigInteger BOND = ETH.divide(BigInteger.TEN);
  static final int LEAVES = 12;
  static final Digest MODEL = Digest.of(Bytes.utf8("explorer network model"));

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

  @Test
  void nodesAndDisputesPages_showRegistryAndSlashedProviderFromChain(@TempDir Path dir)
      throws Exception {
    assumeTrue(
        Files.isExecutable(ExplorerBrowserTest.CHROMIUM)
            && Files.isExecutable(ExplorerBrowserTest.CHROMEDRIVER),
        "Debian chromium and chromium-driver are not installed");
    try (AnvilProcess anvil = AnvilProcess.start()) {
      String rpc = anvil.rpcUrl();
      Deployment dep =
          ContractDeployer.deploy(rpc, key(0), new DeploymentParameters(ETH, 3600, 5_000, 3600));
      EthAddress manager =
          ContractDeployer.deployDisputeManager(
              rpc, key(0), dep, new DisputeParameters(BOND, 100, 100, 3, 10_000));
      try (EvmSettlement pub = EvmSettlement.connect(rpc, dep, key(9))) {
        pub.registerModel(MODEL, "explorer-model", "2", Digest.of(Bytes.utf8("ed25519")).value());
      }
      ReceiptKey provider = ReceiptKey.generate(new SecureRandom());
      try (EvmSettlement op = EvmSettlement.connect(rpc, dep, key(1))) {
        op.registerNode(
            provider, "http://127.0.0.1:9201", List.of(MODEL), ETH.multiply(BigInteger.TWO));
      }
      for (int acct = 2; acct <= 3; acct++) {
        try (EvmSettlement op = EvmSettlement.connect(rpc, dep, key(acct))) {
          op.registerNode(
              ReceiptKey.generate(new SecureRandom()),
              "http://127.0.0.1:920" + acct,
              List.of(MODEL),
              ETH);
        }
      }
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
              .requestId("explorer-dispute-1")
              .timeMillis(1_764_000_000_000L)
              .policy(VerificationPolicy.parse("sample:0.5"))
              .seed(7)
              .build();
      Bytes id;
      try (EvmDisputes challenger = EvmDisputes.connect(rpc, dep, manager, key(5))) {
        id =
            challenger
                .open(
                    SignedReceipt.sign(r, dep.receiptDomain(), provider),
                    new Digest(root(honest, 0, LEAVES)),
                    LEAVES,
                    Digest.of(Bytes.utf8("output")),
                    BOND)
                .id();
        challenger.move(id, root(honest, 0, 8), root(honest, 8, LEAVES));
        anvil.increaseTime(Duration.ofSeconds(101));
        anvil.mine();
        challenger.timeout(id);
      }

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
      ChromeDriver driver = null;
      try (VerityNode node = VerityNode.start(cfg)) {
        System.setProperty("webdriver.chrome.driver", ExplorerBrowserTest.CHROMEDRIVER.toString());
        ChromeOptions options = new ChromeOptions();
        options.setBinary(ExplorerBrowserTest.CHROMIUM.toFile());
        options.addArguments(
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1280,1600",
            "--user-data-dir=" + dir.resolve("chromium-profile"));
        driver =
            new ChromeDriver(
                new ChromeDriverService.Builder()
                    .usingDriverExecutable(ExplorerBrowserTest.CHROMEDRIVER.toFile())
                    .usingAnyFreePort()
                    .build(),
                options);
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(20));
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
        Files.createDirectories(ExplorerBrowserTest.SCREENSHOTS);

        driver.get(node.url() + "/explorer/#/nodes");
        String providerAddr = provider.address().toChecksumString();
        wait.until(
            ExpectedConditions.textToBePresentInElementLocated(By.id("node-stake"), providerAddr));
        String stake = driver.findElement(By.id("node-stake")).getText();
        assertThat(stake)
            .contains("/v1/network/nodes")
            .contains(key(1).address().toChecksumString())
            .contains("\"stakeWei\": \"" + ETH + "\"")
            .contains("\"banned\": true")
            .contains("explorer-model")
            .contains(node.services().receipts().address().toChecksumString());
        Files.write(
            ExplorerBrowserTest.SCREENSHOTS.resolve("network-nodes.png"),
            driver.getScreenshotAs(OutputType.BYTES));

        driver.get(node.url() + "/explorer/#/disputes");
        String idHex = "0x" + id.toHex();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("disputes"), idHex));
        wait.until(d -> d.findElements(By.cssSelector("#disputes table")).size() == 2);
        String disputes = driver.findElement(By.id("disputes")).getText();
        assertThat(disputes)
            .contains("/v1/disputes", "/v1/slashes")
            .contains("resolved", "challenger-correct", "dispute")
            .contains(providerAddr, key(5).address().toChecksumString(), BOND.toString());
        Files.write(
            ExplorerBrowserTest.SCREENSHOTS.resolve("network-disputes.png"),
            driver.getScreenshotAs(OutputType.BYTES));
      } finally {
        if (driver != null) {
          driver.quit();
        }
      }
    }
  }
}
