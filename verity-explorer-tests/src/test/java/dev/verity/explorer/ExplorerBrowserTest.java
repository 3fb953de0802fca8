package dev.verity.explorer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.verity.client.VerityClient;
import dev.verity.core.key.SigningKey;
import dev.verity.hub.manifest.SignedManifest;
import dev.verity.hub.publish.ModelHasher;
import dev.verity.hub.publish.PublishOptions;
import dev.verity.node.VerityNode;
import dev.verity.node.config.NodeConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The explorer in a real headless Chromium against a real in-process node holding real models and
 * receipts of real MNIST inferences. Every page is opened, its content checked against what the
 * node's API and the test itself know, and a screenshot saved to target/screenshots.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExplorerBrowserTest {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final Path SCREENSHOTS = Path.of("target/screenshots");

  Path work;
  VerityNode node;
  VerityNode witness;
  VerityClient client;
  SigningKey publisher;
  SignedManifest mnist;
  SignedManifest tiny;
  SignedManifest mnistDerived;
  final List<JsonNode> inferences = new ArrayList<>();
  JsonNode chat;
  float[][] images;
  ChromeDriver driver;
  WebDriverWait wait;

  @BeforeAll
  void start() throws Exception {
    assumeTrue(
        Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "Debian chromium and chromium-driver are not installed (/usr/bin/chromium,"
            + " /usr/bin/chromedriver); run scripts/install-prerequisites.sh");
    work = Files.createTempDirectory("verity-explorer-test-");
    node = VerityNode.start(NodeConfig.ephemeral(work.resolve("node")));
    // A second node, started now with everything else, witnesses the first one's log later.
    witness = VerityNode.start(NodeConfig.ephemeral(work.resolve("witness")));
    client = VerityClient.connect(node.url());
    publisher = SigningKey.generate();
    Path shared = Fixture.shared();
    mnist =
        Fixture.publish(
            client,
            publisher,
            shared.resolve("models/mnist/mnist-7.onnx"),
            "mnist",
            "7",
            PublishOptions.none()
                .withLicense("MIT")
                .withDescription("MNIST handwritten digit classifier (ONNX opset 7)")
                .withSource("https://github.com/onnx/models"));
    tiny =
        Fixture.publish(
            client,
            publisher,
            shared.resolve("models/tinyllamas"),
            "tinystories-260k",
            "1",
            PublishOptions.none()
                .withLicense("MIT")
                .withDescription("TinyStories 260K Llama-2 model with its tokenizer")
                .withSource("https://github.com/karpathy/tinyllamas"));
    mnistDerived =
        Fixture.publish(
            client,
            publisher,
            shared.resolve("models/mnist/mnist-7.onnx"),
            "mnist-relabelled",
            "1",
            PublishOptions.none()
                .withLicense("MIT")
                .withDescription("MNIST republished as a derived model")
                .withParent(mnist.digest()));
    images = Fixture.mnistImages(6);
    for (int i = 0; i < 3; i++) {
      inferences.add(Fixture.infer(node.url(), "mnist@7", images[i], "explorer-test-" + i));
    }
    // An LLM answer through the OpenAI-compatible API: its receipt carries a sampling seed.
    chat =
        Fixture.postJson(
            node.url(),
            "/v1/chat/completions",
            "{\"model\": \"tinystories-260k\", \"messages\": [{\"role\": \"user\","
                + " \"content\": \"Once upon a time\"}], \"temperature\": 0.9, \"seed\": 42,"
                + " \"max_tokens\": 24}");

    Files.createDirectories(SCREENSHOTS);
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,800",
        "--user-data-dir=" + work.resolve("chromium-profile"));
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .build();
    driver = new ChromeDriver(service, options);
    driver.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 800));
    wait = new WebDriverWait(driver, Duration.ofSeconds(15));
    // Pages redraw while polling; an element read mid-redraw is simply read again.
    wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
  }

  @AfterAll
  void stop() throws Exception {
    if (driver != null) {
      driver.quit();
    }
    if (client != null) {
      client.close();
    }
    if (witness != null) {
      witness.close();
    }
    if (node != null) {
      node.close();
    }
    if (work != null) {
      // Best effort: a browser or node thread may still be finishing a file.
      try (Stream<Path> s = Files.walk(work)) {
        for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
          try {
            Files.deleteIfExists(p);
          } catch (java.io.IOException e) {
            System.err.println("could not delete " + p + ": " + e);
          }
        }
      }
    }
  }

  // ---- helpers ----

  /** Receipts logged so far: the MNIST inferences and the chat completion. */
  int logSize() {
    return inferences.size() + 1;
  }

  void open(String hash) {
    driver.get(node.url() + "/explorer/" + hash);
  }

  WebElement waitFor(By by) {
    return wait.until(ExpectedConditions.visibilityOfElementLocated(by));
  }

  void waitForText(By by, String text) {
    wait.until(ExpectedConditions.textToBePresentInElementLocated(by, text));
  }

  String text(By by) {
    return waitFor(by).getText();
  }

  void screenshot(String name) throws Exception {
    byte[] png = driver.getScreenshotAs(OutputType.BYTES);
    Files.write(SCREENSHOTS.resolve(name + ".png"), png);
  }

  void fullScreenshot(String name) throws Exception {
    // Grow the window to the page's height so the whole page is in one picture.
    Number h =
        (Number)
            ((JavascriptExecutor) driver)
                .executeScript("return document.documentElement.scrollHeight");
    driver
        .manage()
        .window()
        .setSize(
            new org.openqa.selenium.Dimension(1280, Math.max(800, Math.min(4000, h.intValue()))));
    try {
      screenshot(name);
    } finally {
      driver.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 800));
    }
  }

  String field(String key) {
    return text(By.cssSelector("dd[data-field='" + key + "']"));
  }

  // ---- pages ----

  @Test
  @Order(1)
  void root_redirectsToModelsPage_listingPublishedModels() throws Exception {
    driver.get(node.url().toString());
    assertThat(driver.getCurrentUrl()).endsWith("/explorer/");
    waitFor(By.cssSelector("#models-table"));
    waitForText(By.id("models-table"), "tinystories-260k");
    String table = text(By.id("models-table"));
    assertThat(table).contains("mnist", "tinystories-260k", "mnist-relabelled", "onnx", "llama2c");
    assertThat(driver.findElements(By.cssSelector("#models-table tbody tr"))).hasSize(3);
    // Full digests are in the page for search engines and screen readers, short ones on screen.
    assertThat(driver.getPageSource()).contains(mnist.digest().toString());
    assertThat(text(By.id("model-count"))).isEqualTo("3 of 3 model versions");
    // The overview reads the same API: model versions, log size, checked checkpoint.
    waitForText(By.cssSelector("#overview li[data-stat='checkpoint']"), "verified");
    assertThat(text(By.cssSelector("#overview li[data-stat='models'] .big"))).isEqualTo("3");
    assertThat(text(By.cssSelector("#overview li[data-stat='receipts'] .big")))
        .isEqualTo(String.valueOf(logSize()));
    screenshot("models");

    WebElement filter = driver.findElement(By.id("model-filter"));
    filter.sendKeys("tinystories");
    wait.until(d -> d.findElements(By.cssSelector("#models-table tbody tr")).size() == 1);
    assertThat(text(By.id("models-table")))
        .contains("tinystories-260k")
        .doesNotContain("mnist-relabelled");
    filter.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.BACK_SPACE);
  }

  @Test
  @Order(2)
  void manifestPage_showsFilesPublisherSourceAndLineage() throws Exception {
    open("#/models");
    waitFor(By.cssSelector("tr[data-model='mnist-relabelled@1'] a.model-link")).click();
    waitFor(By.id("files-table"));
    assertThat(text(By.tagName("h1"))).contains("mnist-relabelled@1");
    WebElement manifestStatus = waitFor(By.id("manifest-status"));
    wait.until(d -> !"pending".equals(manifestStatus.getAttribute("data-status")));
    assertThat(manifestStatus.getAttribute("data-status"))
        .as(manifestStatus.getText())
        .isEqualTo("verified");
    assertThat(manifestStatus.getText()).contains("signed by " + publisher.verifyingKey().keyId());
    assertThat(field("digest")).isEqualTo(mnistDerived.digest().toString());
    assertThat(field("publisherKeyId")).isEqualTo(publisher.verifyingKey().keyId());
    assertThat(field("license")).isEqualTo("MIT");
    assertThat(field("parent")).contains(mnist.digest().toString().substring(0, 19));
    String files = text(By.id("files-table"));
    Path onnx = Fixture.shared().resolve("models/mnist/mnist-7.onnx");
    assertThat(files)
        .contains("mnist-7.onnx")
        .contains(String.format("%,d bytes", Files.size(onnx)))
        .contains(ModelHasher.sha256(onnx).toString());
    // Lineage: this model and its parent, drawn as an SVG and as a list.
    WebElement graph = waitFor(By.id("lineage-graph"));
    assertThat(graph.findElements(By.cssSelector("rect.node"))).hasSize(2);
    assertThat(graph.getText()).contains("mnist-relabelled@1", "mnist@7");
    assertThat(text(By.id("lineage-status"))).contains("Complete: 2 manifests");
    wait.until(
        d -> "verified".equals(d.findElement(By.id("lineage-check")).getAttribute("data-status")));
    String servedBy = text(By.id("served-by"));
    assertThat(servedBy).contains(Fixture.getJson(node.url(), "/v1/node").get("address").asText());
    fullScreenshot("manifest");

    // Follow the lineage to the parent.
    graph.findElements(By.tagName("a")).get(1).click();
    wait.until(d -> d.findElement(By.tagName("h1")).getText().contains("mnist@7"));
    assertThat(field("source")).isEqualTo("https://github.com/onnx/models");
    assertThat(field("parent")).contains("none");
  }

  @Test
  @Order(3)
  void receiptsPage_listsReceiptsFromTheLog_andVerifiesOneInThePage() throws Exception {
    open("#/receipts");
    waitForText(By.id("recent-receipts"), "explorer-test-2");
    String list = text(By.id("recent-receipts"));
    assertThat(list)
        .contains("explorer-test-0", "explorer-test-1", "explorer-test-2", "strict", "mnist@7")
        .contains(chat.get("id").asText());
    screenshot("receipts");
    driver
        .findElement(By.cssSelector("tr[data-request-id='explorer-test-1'] a.receipt-link"))
        .click();

    JsonNode inf = inferences.get(1);
    WebElement status = waitFor(By.id("verify-status"));
    wait.until(d -> !"pending".equals(status.getAttribute("data-status")));
    assertThat(status.getAttribute("data-status")).as(status.getText()).isEqualTo("verified");
    assertThat(status.getText())
        .contains("VERIFIED", "Inclusion proof reaches the checkpoint root")
        .contains("Receipt signature (secp256k1, EIP-712) recovers the node address")
        .contains("Inputs hash to the receipt\u2019s input digest", "Input3")
        .contains("Outputs hash to the receipt\u2019s output digest")
        .contains("Model manifest is the one the receipt names, signed by its publisher");
    JsonNode receipt = inf.get("receipt");
    assertThat(field("requestId")).isEqualTo("explorer-test-1");
    assertThat(field("modelDigest")).startsWith(mnist.digest().toString()).endsWith("mnist@7");
    assertThat(field("outputDigest")).isEqualTo(receipt.get("outputDigest").asText());
    assertThat(field("inputDigest")).isEqualTo(receipt.get("inputDigest").asText());
    assertThat(field("signature")).isEqualTo(receipt.get("signature").asText());
    assertThat(field("receiptId")).isEqualTo(inf.get("receiptId").asText());
    assertThat(field("logIndex")).isEqualTo(inf.get("logIndex").asText());
    assertThat(text(By.id("checkpoint-note")))
        .startsWith(Fixture.getJson(node.url(), "/v1/node").get("origin").asText());
    String bundleHref = driver.findElement(By.id("download-bundle")).getAttribute("href");
    assertThat(bundleHref).endsWith("/v1/receipts/explorer-test-1/bundle");
    waitForText(By.id("still-in-log"), "consistent");
    fullScreenshot("receipt");

    driver.findElement(By.id("reverify")).click();
    wait.until(d -> "verified".equals(status.getAttribute("data-status")));

    // The chat completion's receipt (found by its completion id) verifies the same way.
    String chatId = chat.get("id").asText();
    open("#/receipts/" + chatId);
    WebElement chatStatus = waitFor(By.id("verify-status"));
    wait.until(d -> !"pending".equals(chatStatus.getAttribute("data-status")));
    assertThat(chatStatus.getAttribute("data-status"))
        .as(chatStatus.getText())
        .isEqualTo("verified");
    assertThat(field("requestId")).isEqualTo(chatId);
    assertThat(field("modelDigest")).startsWith(tiny.digest().toString());
    assertThat(field("receiptId")).isEqualTo(chat.at("/verity/receiptId").asText());
    // The node keeps no tensors for text generation; the page says what it could not check.
    assertThat(text(By.id("bundle-missing"))).contains("inputs or outputs", "not checked here");
    assertThat(chatStatus.getText())
        .contains("Model manifest is the one the receipt names, signed by its publisher");
    fullScreenshot("receipt-chat");
  }

  Path bundleFile(String name, java.util.function.Consumer<ObjectNode> tamper) throws Exception {
    return bundleFile("explorer-test-0", name, tamper);
  }

  /** The receipt bundle inside the node's verifier bundle for {@code requestId}, changed. */
  Path bundleFile(String requestId, String name, java.util.function.Consumer<ObjectNode> tamper)
      throws Exception {
    return wholeBundleFile(
        requestId, name, b -> tamper.accept((ObjectNode) b.get("receiptBundle")));
  }

  Path wholeBundleFile(String name, java.util.function.Consumer<ObjectNode> tamper)
      throws Exception {
    return wholeBundleFile("explorer-test-0", name, tamper);
  }

  /** The node's verifier bundle for {@code requestId}, changed by {@code tamper}, in a file. */
  Path wholeBundleFile(
      String requestId, String name, java.util.function.Consumer<ObjectNode> tamper)
      throws Exception {
    ObjectNode b =
        (ObjectNode) Fixture.getJson(node.url(), "/v1/receipts/" + requestId + "/bundle");
    tamper.accept(b);
    Path f = work.resolve(name + ".bundle.json");
    Files.writeString(f, Fixture.JSON.writeValueAsString(b), StandardCharsets.UTF_8);
    return f;
  }

  String checkBundle(Path f) {
    open("#/receipts");
    WebElement input =
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("bundle-file")));
    input.sendKeys(f.toAbsolutePath().toString());
    WebElement status = driver.findElement(By.id("bundle-status"));
    wait.until(
        d -> {
          String s = status.getAttribute("data-status");
          return "verified".equals(s) || "failed".equals(s);
        });
    return status.getAttribute("data-status") + "\n" + status.getText();
  }

  @Test
  @Order(4)
  void bundleCheck_genuineVerifies_tamperedProofAndReceiptFail() throws Exception {
    assertThat(checkBundle(bundleFile("genuine", b -> {})))
        .startsWith("verified")
        .contains("Inputs hash to the receipt\u2019s input digest")
        .contains("Outputs hash to the receipt\u2019s output digest")
        .contains("Model manifest is the one the receipt names, signed by its publisher");

    // The node's answer changed after the fact: one output byte differs from what was signed.
    Path badOutputs =
        wholeBundleFile(
            "tampered-outputs",
            b -> {
              ObjectNode t = (ObjectNode) b.get("outputs").elements().next();
              byte[] data = Base64.getDecoder().decode(t.get("data").asText());
              data[0] ^= 0x01;
              t.put("data", Base64.getEncoder().encodeToString(data));
            });
    assertThat(checkBundle(badOutputs))
        .startsWith("failed")
        .contains("Outputs hash to the receipt\u2019s output digest", "receipt says");

    Path badProof =
        bundleFile(
            "tampered-proof",
            b -> {
              ArrayNode proof = (ArrayNode) b.get("inclusionProof");
              assertThat(proof.size()).as("proof must have hashes to tamper with").isPositive();
              byte[] h = Base64.getDecoder().decode(proof.get(0).asText());
              h[7] ^= 0x01;
              proof.set(0, Base64.getEncoder().encodeToString(h));
            });
    String r = checkBundle(badProof);
    assertThat(r).startsWith("failed").contains("Inclusion proof reaches the checkpoint root");
    fullScreenshot("bundle-tampered-proof");

    Path badReceipt =
        bundleFile(
            "tampered-output",
            b -> {
              ObjectNode rc = (ObjectNode) b.get("receipt");
              String d = rc.get("outputDigest").asText();
              rc.put(
                  "outputDigest", d.substring(0, d.length() - 1) + (d.endsWith("0") ? "1" : "0"));
            });
    r = checkBundle(badReceipt);
    assertThat(r)
        .startsWith("failed")
        .contains("Receipt signature (secp256k1, EIP-712) recovers the node address")
        .contains("not by the node")
        .doesNotContain("Inclusion proof");

    Path badCheckpoint =
        bundleFile(
            "tampered-checkpoint",
            b -> {
              String cp = b.get("checkpoint").asText();
              String[] lines = cp.split("\n", -1);
              byte[] root = Base64.getDecoder().decode(lines[2]);
              root[0] ^= 0x01;
              lines[2] = Base64.getEncoder().encodeToString(root);
              b.put("checkpoint", String.join("\n", lines));
            });
    r = checkBundle(badCheckpoint);
    assertThat(r).startsWith("failed").contains("Checkpoint is signed by the log key");
  }

  @Test
  @Order(5)
  void logPage_showsCheckpoint_andGrowsLiveWithConsistencyChecked() throws Exception {
    open("#/log");
    JsonNode nodeInfo = Fixture.getJson(node.url(), "/v1/node");
    waitFor(By.cssSelector("#log-checkpoint dd[data-field='treeSize']"));
    assertThat(field("origin")).isEqualTo(nodeInfo.get("origin").asText());
    assertThat(field("treeSize")).isEqualTo(String.valueOf(logSize()));
    assertThat(field("signature")).contains("verified");
    waitForText(By.id("log-forks"), "No fork evidence");
    waitFor(By.id("tree-size-chart"));
    waitForText(By.id("log-entries"), "explorer-test-2");
    assertThat(text(By.id("log-witness")))
        .contains(Fixture.getJson(node.url(), "/v1/witness").get("witness").asText());

    // A new inference while the page is open shows up without a reload.
    inferences.add(Fixture.infer(node.url(), "mnist@7", images[3], "explorer-test-live"));
    String grown = String.valueOf(logSize());
    wait.until(d -> grown.equals(field("treeSize")));
    waitForText(By.id("log-consistency"), "consistent");
    waitForText(By.id("log-entries"), "explorer-test-live");
    // The checkpoint history lists the grown checkpoint as consistent with the earlier one.
    waitForText(By.id("checkpoint-history"), "consistent with " + (logSize() - 1));
    assertThat(text(By.id("log-consistency"))).doesNotContain("Inconsistent");
    // The chart's history comes from the log entries' receipt times: one point per size reached.
    assertThat(driver.findElements(By.cssSelector("#tree-size-chart circle.dot")))
        .hasSizeGreaterThanOrEqualTo(logSize());

    // A second node witnesses this log; its cosignature appears on the checkpoint, live.
    {
      String witnessKey = Fixture.getJson(witness.url(), "/v1/witness").get("witness").asText();
      String witnessName = witnessKey.substring(0, witnessKey.indexOf('+'));
      JsonNode outcome =
          Fixture.postJson(witness.url(), "/v1/witness/peers", "{\"url\": \"" + node.url() + "\"}");
      assertThat(outcome.at("/results/0/outcome").asText())
          .as(outcome.toString())
          .isEqualTo("cosigned");
      assertThat(outcome.at("/results/0/delivered").asBoolean()).isTrue();
      waitForText(By.id("log-cosignatures"), witnessName);
      fullScreenshot("log");

      // Receipts now prove against the cosigned checkpoint, and the page lists the witness.
      open("#/receipts/explorer-test-live");
      WebElement status = waitFor(By.id("verify-status"));
      wait.until(d -> !"pending".equals(status.getAttribute("data-status")));
      assertThat(status.getAttribute("data-status")).as(status.getText()).isEqualTo("verified");
      assertThat(text(By.id("witnesses"))).contains(witnessName);
    }
  }

  @Test
  @Order(6)
  void nodesPage_showsIdentityHealthAndServedCounts_stakeUnavailable() throws Exception {
    open("#/nodes");
    JsonNode nodeInfo = Fixture.getJson(node.url(), "/v1/node");
    waitFor(By.cssSelector("dd[data-field='address']"));
    assertThat(field("address")).isEqualTo(nodeInfo.get("address").asText());
    assertThat(field("logKey")).isEqualTo(nodeInfo.get("logKey").asText());
    assertThat(field("receiptsServed")).isEqualTo(String.valueOf(logSize()));
    assertThat(field("modelsServed")).isEqualTo("3");
    assertThat(field("status")).isEqualTo("ok");
    assertThat(text(By.id("node-models"))).contains("mnist@7", "tinystories-260k@1");
    assertThat(text(By.id("node-stake"))).contains("Not available on this node yet");
    assertThat(text(By.id("node-peers"))).contains("witnesses no other node yet");

    // This node now witnesses the second node: it appears as a peer, with its log origin.
    JsonNode outcome =
        Fixture.postJson(node.url(), "/v1/witness/peers", "{\"url\": \"" + witness.url() + "\"}");
    assertThat(outcome.at("/results/0/outcome").asText())
        .as(outcome.toString())
        .isEqualTo("cosigned");
    String peerOrigin = Fixture.getJson(witness.url(), "/v1/node").get("origin").asText();
    waitForText(By.id("node-peers"), peerOrigin);
    assertThat(driver.findElement(By.cssSelector("#peers-table a")).getAttribute("href"))
        .isEqualTo(witness.url() + "/explorer/");
    fullScreenshot("nodes");
  }

  @Test
  @Order(7)
  void disputesAndDecentralization_sayNotAvailableRatherThanShowingData() throws Exception {
    open("#/disputes");
    waitForText(By.id("disputes"), "Not available on this node yet");
    assertThat(driver.findElements(By.cssSelector("#disputes table"))).isEmpty();
    screenshot("disputes");
    open("#/decentralization");
    waitForText(By.id("decentralization"), "Not available on this node yet");
    assertThat(driver.findElements(By.cssSelector("#decentralization svg"))).isEmpty();
    screenshot("decentralization");
  }

  @Test
  @Order(7)
  void decentralizationView_drawsNakamotoAndOperatorSharesOnceTheNodeReportsThem() {
    // GET /v1/network/decentralization exists only on nodes joined to a chain (the audit
    // feature); this test's node has none, so the view is fed that endpoint's documented shape.
    open("#/decentralization");
    waitForText(By.id("decentralization"), "Not available on this node yet");
    Object out =
        ((JavascriptExecutor) driver)
            .executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                    + "import('/explorer/page-network.js').then(m => {"
                    + "  const dist = (half, third, shares) => ({basis: 'b', nakamotoOneHalf: half,"
                    + "    nakamotoOneThird: third, operators: shares.length, shares: shares.map("
                    + "    ([o, w, s]) => ({operator: o, weightWei: w, share: s}))});"
                    + "  const doc = {capBps: 2500,"
                    + "    compute: dist(2, 1, [['0xA1', '500', 0.5], ['0xB2', '300', 0.3],"
                    + "      ['0xC3', '200', 0.2]]),"
                    + "    audit: dist(3, 2, [['0xA1', '250', 0.3333], ['0xB2', '250', 0.3333],"
                    + "      ['0xC3', '250', 0.3334]])};"
                    + "  const el = m.decentralizationView('/v1/network/decentralization', doc);"
                    + "  document.getElementById('decentralization').appendChild(el);"
                    + "  const q = (s) => el.querySelector(s);"
                    + "  done([q('[data-figure=compute-half] .big').textContent,"
                    + "    q('[data-figure=audit-half] .big').textContent,"
                    + "    el.querySelectorAll('#compute-shares rect.bar').length,"
                    + "    q('#compute-shares').textContent.includes('50.0 %'),"
                    + "    el.textContent.includes('25.00 %')].join(' '));"
                    + "}).catch(e => done('error ' + e.message));");
    assertThat(out).isEqualTo("2 3 3 true true");
  }

  void search(String q) {
    WebElement box = waitFor(By.id("q"));
    box.clear();
    box.sendKeys(q, Keys.ENTER);
  }

  @Test
  @Order(8)
  void search_findsReceiptsByRequestAndReceiptId_digestsModelNamesAndTheNode() throws Exception {
    open("#/models");
    search("explorer-test-2");
    wait.until(d -> d.getCurrentUrl().endsWith("#/receipts/explorer-test-2"));
    wait.until(
        d -> "verified".equals(d.findElement(By.id("verify-status")).getAttribute("data-status")));

    search(inferences.get(0).get("receiptId").asText());
    wait.until(d -> d.getCurrentUrl().endsWith("#/receipts/explorer-test-0"));

    search(tiny.digest().toString());
    wait.until(d -> d.findElement(By.tagName("h1")).getText().contains("tinystories-260k@1"));

    search("tinystories");
    wait.until(d -> d.getCurrentUrl().contains("#/models/"));
    assertThat(text(By.tagName("h1"))).contains("tinystories-260k@1");

    // "mnist" names two models: the results page lists both.
    search("mnist");
    waitForText(By.id("search-results"), "mnist-relabelled@1");
    assertThat(text(By.id("search-results"))).contains("mnist@7");
    screenshot("search");

    search(ModelHasher.sha256(Fixture.shared().resolve("models/tinyllamas/tok512.bin")).toString());
    // A file digest leads to the one manifest that contains it.
    wait.until(
        d ->
            d.getCurrentUrl().contains("#/models/" + tiny.digest().toString().replace(":", "%3A")));
    assertThat(text(By.tagName("h1"))).contains("tinystories-260k@1");

    search(Fixture.getJson(node.url(), "/v1/node").get("address").asText());
    wait.until(d -> d.getCurrentUrl().endsWith("#/nodes"));

    search("no-such-thing-anywhere");
    waitForText(By.id("search-results"), "Nothing found");
  }

  @Test
  @Order(9)
  void modelsPage_showsANewlyPublishedModelWithoutReload() throws Exception {
    open("#/models");
    waitForText(By.id("model-count"), "3 of 3");
    Fixture.publish(
        client,
        publisher,
        Fixture.shared().resolve("models/onnx-light/light_squeezenet.onnx"),
        "squeezenet-light",
        "1",
        PublishOptions.none()
            .withLicense("Apache-2.0")
            .withDescription("SqueezeNet, light weights"));
    waitForText(By.id("models-table"), "squeezenet-light");
    assertThat(text(By.id("model-count"))).isEqualTo("4 of 4 model versions");
  }

  @Test
  @Order(10)
  void pageVerifier_matchesTheReceiptGoldenVectors_encodingHashingAndSignature() throws Exception {
    Path vectors = Path.of("../verity-receipts/src/test/resources/receipts");
    assumeTrue(Files.isDirectory(vectors), "receipt golden vectors not found next to this module");
    Properties p = new Properties();
    try (var in = Files.newInputStream(vectors.resolve("golden-vectors.properties"))) {
      p.load(in);
    }
    String json = Files.readString(vectors.resolve("golden-receipt.json"));
    open("#/models");
    Object out =
        ((JavascriptExecutor) driver)
            .executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                    + "Promise.all([import('/explorer/verify.js'), import('/explorer/eth.js')])"
                    + ".then(async ([v, e]) => {"
                    + "  const r = JSON.parse(arguments[0]);"
                    + "  const b = v.receiptCanonicalBytes(r);"
                    + "  done([v.hex(b), v.hex(await v.leafHash(b)),"
                    + "    v.hex(e.domainSeparator(r.chainId, r.verifyingContract)),"
                    + "    v.hex(e.structHash(r)), v.hex(e.receiptDigest(r)),"
                    + "    e.verifyReceiptSignature(r)].join(' '));"
                    + "}).catch(e => done('error ' + e.message));",
                json);
    assertThat(out)
        .isEqualTo(
            String.join(
                " ",
                p.getProperty("canonical"),
                p.getProperty("leafHash"),
                p.getProperty("domainSeparator"),
                p.getProperty("structHash"),
                p.getProperty("digest"),
                p.getProperty("node")));
  }

  // ---- batch-signed receipts (format 2) ----

  static final String BATCH_PATH_CHECK =
      "Batch path leads from the receipt digest to a batch root (RFC 9162)";
  static final String BATCH_SIGNATURE_CHECK =
      "Batch signature (secp256k1, EIP-712 ReceiptBatch) recovers the node address";
  static final String DIRECT_SIGNATURE_CHECK =
      "Receipt signature (secp256k1, EIP-712) recovers the node address";
  static final String ENCODING_CHECK = "Receipt fields encode to the receipt id";

  /** Length of the RFC 9162 audit path of leaf {@code index} in a tree of {@code size}. */
  static int auditPathLength(int index, int size) {
    int n = 0;
    while (size > 1) {
      int k = Integer.highestOneBit(size - 1);
      if (index < k) {
        size = k;
      } else {
        index -= k;
        size -= k;
      }
      n++;
    }
    return n;
  }

  /**
   * Runs MNIST inferences eight at a time until the node has signed two or more receipts with one
   * batch signature (receipts that reach the same group commit of its log share one); returns one
   * of those answers.
   */
  JsonNode batchedInference() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      for (int round = 0; round < 5; round++) {
        List<Future<JsonNode>> answers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
          String id = "explorer-batch-" + round + "-" + i;
          float[] image = images[i % images.length];
          answers.add(pool.submit(() -> Fixture.infer(node.url(), "mnist@7", image, id)));
        }
        JsonNode batched = null;
        for (Future<JsonNode> a : answers) {
          JsonNode answer = a.get(2, TimeUnit.MINUTES);
          inferences.add(answer);
          JsonNode batch = answer.at("/receipt/batch");
          if (batched == null && batch.isObject() && batch.get("size").asInt() >= 2) {
            batched = answer;
          }
        }
        if (batched != null) {
          System.out.printf(
              "round %d of concurrent inferences: %s signed in a batch of %d%n",
              round + 1,
              batched.get("requestId").asText(),
              batched.at("/receipt/batch/size").asInt());
          return batched;
        }
      }
    } finally {
      pool.shutdownNow();
    }
    throw new AssertionError("no two of 40 concurrent inferences were signed in one batch");
  }

  static String flipLastHexDigit(String h) {
    return h.substring(0, h.length() - 1) + (h.endsWith("0") ? "1" : "0");
  }

  @Test
  @Order(9)
  void batchSignedReceipt_fromTheNode_verifiesInThePage_tamperedPathOrIndexFailsNamingTheStep()
      throws Exception {
    JsonNode answer = batchedInference();
    String id = answer.get("requestId").asText();
    JsonNode batch = answer.at("/receipt/batch");
    int size = batch.get("size").asInt();
    int index = batch.get("index").asInt();
    int pathLength = batch.get("path").size();
    assertThat(pathLength).isEqualTo(auditPathLength(index, size));

    open("#/receipts/" + id);
    WebElement status = waitFor(By.id("verify-status"));
    wait.until(d -> !"pending".equals(status.getAttribute("data-status")));
    assertThat(status.getAttribute("data-status")).as(status.getText()).isEqualTo("verified");
    assertThat(status.getText())
        .contains(ENCODING_CHECK, BATCH_PATH_CHECK, BATCH_SIGNATURE_CHECK)
        .contains("Inclusion proof reaches the checkpoint root")
        .contains("signed in a batch of " + size + ", position " + index)
        .doesNotContain(DIRECT_SIGNATURE_CHECK);
    assertThat(field("signedAs")).isEqualTo("signed in a batch of " + size + ", position " + index);
    assertThat(text(By.id("receipt-format"))).startsWith("Format 2: signed in a batch of " + size);
    assertThat(field("batchSize")).isEqualTo(String.valueOf(size));
    assertThat(field("batchIndex")).isEqualTo(String.valueOf(index));
    assertThat(driver.findElements(By.cssSelector("#batch-path li"))).hasSize(pathLength);
    assertThat(text(By.id("batch-path"))).contains(batch.get("path").get(0).asText());
    assertThat(field("signature")).isEqualTo(answer.at("/receipt/signature").asText());
    // The log grew by a whole round of receipts just now; the page's log view catches up with it.
    waitForText(By.id("still-in-log"), "is consistent with this receipt's checkpoint");
    fullScreenshot("receipt-batch");

    // The log's entry list decodes format-2 entries and says how each was signed.
    open("#/receipts");
    waitForText(By.id("recent-receipts"), id);
    assertThat(text(By.cssSelector("tr[data-request-id='" + id + "']")))
        .contains("in a batch of " + size + ", position " + index);

    assertThat(checkBundle(bundleFile(id, "batch-genuine", b -> {})))
        .startsWith("verified")
        .contains(BATCH_SIGNATURE_CHECK);

    // One bit of one batch path hash: the path now leads to a root the node never signed.
    String r =
        checkBundle(
            bundleFile(
                id,
                "batch-tampered-path",
                b -> {
                  ArrayNode path = (ArrayNode) b.at("/receipt/batch/path");
                  path.set(0, flipLastHexDigit(path.get(0).asText()));
                }));
    assertThat(r)
        .startsWith("failed")
        .contains(BATCH_PATH_CHECK, BATCH_SIGNATURE_CHECK)
        .contains("batch path does not lead to a root the node signed")
        .doesNotContain("Inclusion proof reaches");
    fullScreenshot("bundle-batch-tampered-path");

    // Another position in the same batch: either the path no longer fits it, or it leads elsewhere.
    int other = index == 0 ? 1 : index - 1;
    r =
        checkBundle(
            bundleFile(
                id,
                "batch-tampered-index",
                b -> ((ObjectNode) b.at("/receipt/batch")).put("index", other)));
    assertThat(r).startsWith("failed").doesNotContain("Inclusion proof reaches");
    if (auditPathLength(other, size) == pathLength) {
      assertThat(r)
          .contains(BATCH_SIGNATURE_CHECK, "batch path does not lead to a root the node signed");
    } else {
      assertThat(r)
          .contains(BATCH_PATH_CHECK)
          .contains("batch inclusion path does not fit index " + other + " of " + size)
          .doesNotContain(BATCH_SIGNATURE_CHECK);
    }

    // A path one hash short never fits the batch, whatever the signature.
    r =
        checkBundle(
            bundleFile(
                id,
                "batch-short-path",
                b -> ((ArrayNode) b.at("/receipt/batch/path")).remove(pathLength - 1)));
    assertThat(r)
        .startsWith("failed")
        .contains(BATCH_PATH_CHECK, "batch inclusion path does not fit index " + index)
        .doesNotContain(BATCH_SIGNATURE_CHECK);
  }

  /** Runs the page's whole receipt check on each JSON receipt; the first failing check of each. */
  @SuppressWarnings("unchecked")
  List<String> firstFailingChecks(List<String> receipts) {
    Object out =
        ((JavascriptExecutor) driver)
            .executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                    + "import('/explorer/verify.js').then(async v => {"
                    + "  const out = [];"
                    + "  for (const json of arguments[0]) {"
                    + "    const res = await v.verifyReceipt({receipt: JSON.parse(json),"
                    + "      checkpoint: '', treeSize: 0, logIndex: 0, inclusionProof: []}, '', null);"
                    + "    const bad = res.checks.find(c => !c.ok);"
                    + "    out.push(bad ? bad.name + ': ' + bad.detail : 'no check failed');"
                    + "  }"
                    + "  done(out);"
                    + "}).catch(e => done(['error ' + e.message]));",
                receipts);
    return (List<String>) out;
  }

  @Test
  @Order(10)
  void pageVerifier_matchesTheBatchReceiptGoldenVectors_andRejectsEveryNegativeVector()
      throws Exception {
    Path vectors = Path.of("../verity-receipts/src/test/resources/receipts");
    Path props = vectors.resolve("golden-batch-vectors.properties");
    assumeTrue(Files.isRegularFile(props), "batch receipt golden vectors not found");
    Properties p = new Properties();
    try (var in = Files.newInputStream(props)) {
      p.load(in);
    }
    int size = Integer.parseInt(p.getProperty("size"));
    assertThat(size).isGreaterThanOrEqualTo(2);
    open("#/models");
    List<String> genuine = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      String json = Files.readString(vectors.resolve("golden-batch-receipt-" + i + ".json"));
      genuine.add(json);
      Object out =
          ((JavascriptExecutor) driver)
              .executeAsyncScript(
                  "const done = arguments[arguments.length - 1];"
                      + "Promise.all([import('/explorer/verify.js'), import('/explorer/eth.js')])"
                      + ".then(async ([v, e]) => {"
                      + "  const r = JSON.parse(arguments[0]);"
                      + "  const c = v.receiptCanonicalBytes(r);"
                      + "  const b = v.parseBatch(r);"
                      + "  const {digest, root} = await v.batchRoot(r, b);"
                      + "  done([v.hex(c), v.hex(await v.leafHash(c)), v.hex(digest),"
                      + "    b.path.map(v.hex).join(','), v.hex(root),"
                      + "    v.hex(e.batchStructHash(root, b.size)),"
                      + "    v.hex(e.batchDigest(root, b.size, r.chainId, r.verifyingContract)),"
                      + "    v.verifyBatchSignature(r, b, root), v.signedAs(r)].join(' '));"
                      + "}).catch(e => done('error ' + e.message));",
                  json);
      assertThat(out)
          .as("golden-batch-receipt-" + i)
          .isEqualTo(
              String.join(
                  " ",
                  p.getProperty("canonical." + i),
                  p.getProperty("leafHash." + i),
                  p.getProperty("digest." + i),
                  p.getProperty("path." + i),
                  p.getProperty("root"),
                  p.getProperty("batchStructHash"),
                  p.getProperty("batchDigest"),
                  p.getProperty("node").toLowerCase(java.util.Locale.ROOT),
                  "signed in a batch of " + size + ", position " + i));
    }
    // Whole receipt check without a log: every receipt check passes, the checkpoint is missing.
    for (String r : firstFailingChecks(genuine)) {
      assertThat(r).startsWith("Checkpoint is well formed");
    }

    // Negative vectors (both formats) are well formed but wrongly signed: a signature check fails.
    List<Path> negatives = jsonFiles(vectors.resolve("negative"));
    List<String> results = firstFailingChecks(readAll(negatives));
    assertThat(negatives).anyMatch(f -> f.getFileName().toString().startsWith("batch-"));
    for (int i = 0; i < negatives.size(); i++) {
      assertThat(results.get(i))
          .as(negatives.get(i).getFileName().toString())
          .matches(
              "^("
                  + java.util.regex.Pattern.quote(BATCH_SIGNATURE_CHECK)
                  + "|"
                  + java.util.regex.Pattern.quote(DIRECT_SIGNATURE_CHECK)
                  + "): .*");
    }
    // Malformed batch receipts break the format's rules: the page rejects them before any
    // signature, naming the batch field or the path length.
    Path malformedDir = vectors.resolve("malformed");
    List<Path> malformed =
        jsonFiles(malformedDir).stream()
            .filter(f -> f.getFileName().toString().startsWith("batch-"))
            .toList();
    assertThat(malformed).isNotEmpty();
    results = firstFailingChecks(readAll(malformed));
    for (int i = 0; i < malformed.size(); i++) {
      assertThat(results.get(i))
          .as(malformed.get(i).getFileName().toString())
          .matches(
              "^("
                  + java.util.regex.Pattern.quote(ENCODING_CHECK)
                  + ": batch.*|"
                  + java.util.regex.Pattern.quote(BATCH_PATH_CHECK)
                  + ": batch inclusion path does not fit .*)");
    }
  }

  static List<Path> jsonFiles(Path dir) throws java.io.IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList();
    }
  }

  static List<String> readAll(List<Path> files) throws java.io.IOException {
    List<String> out = new ArrayList<>();
    for (Path f : files) {
      out.add(Files.readString(f));
    }
    return out;
  }

  @Test
  @Order(11)
  void pageManifestCheck_rejectsAChangedFieldPayloadOrSignature() throws Exception {
    open("#/models");
    String view = Fixture.getJson(node.url(), "/v1/manifests/" + mnistDerived.digest()).toString();
    Object out =
        ((JavascriptExecutor) driver)
            .executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                    + "import('/explorer/verify.js').then(async v => {"
                    + "  const fresh = () => JSON.parse(arguments[0]);"
                    + "  const verdict = async (m) => {"
                    + "    const r = await v.verifyManifest(m);"
                    + "    return r.ok ? 'ok' : r.checks.find(c => !c.ok).name; };"
                    + "  const genuine = await verdict(fresh());"
                    + "  const license = fresh(); license.manifest.license = 'Proprietary';"
                    + "  const size = fresh(); size.manifest.files[0].size += 1;"
                    + "  const sig = fresh(); const s = sig.envelope.signatures[0].sig;"
                    + "  sig.envelope.signatures[0].sig = (s[0] === 'A' ? 'B' : 'A') + s.slice(1);"
                    + "  const payload = fresh(); payload.digest = 'sha256:' + '0'.repeat(64);"
                    + "  done([genuine, await verdict(license), await verdict(size),"
                    + "    await verdict(sig), await verdict(payload)].join('|'));"
                    + "}).catch(e => done('error ' + e.message));",
                view);
    assertThat(String.valueOf(out).split("\\|"))
        .containsExactly(
            "ok",
            "Shown fields are the signed ones",
            "Shown fields are the signed ones",
            "Publisher signature verifies (Ed25519, DSSE)",
            "Digest is SHA-256 of the signed statement");
  }

  @Test
  @Order(12)
  void everyPage_hasOneHeading_labelledControls_andMarksTheCurrentSection() {
    String audit =
        "const out = [];"
            + "if (document.querySelectorAll('h1').length !== 1) out.push('h1 count '"
            + "  + document.querySelectorAll('h1').length);"
            + "for (const el of document.querySelectorAll('input, button, select, textarea')) {"
            + "  const named = el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')"
            + "    || (el.id && document.querySelector('label[for=\"' + el.id + '\"]'))"
            + "    || (el.tagName === 'BUTTON' && el.textContent.trim());"
            + "  if (!named) out.push('unlabelled ' + el.outerHTML.slice(0, 80));"
            + "}"
            + "for (const img of document.querySelectorAll('img')) if (!img.hasAttribute('alt'))"
            + "  out.push('img without alt');"
            + "for (const svg of document.querySelectorAll('main svg')) if (!svg.getAttribute('role')"
            + "  && !svg.closest('[aria-hidden]')) out.push('svg without role');"
            + "if (!document.querySelector('#nav a[aria-current=page]')) out.push('no current section');"
            + "return out;";
    String receipt = inferences.get(0).get("requestId").asText();
    for (String page :
        List.of(
            "#/models",
            "#/models/" + mnistDerived.digest(),
            "#/receipts",
            "#/receipts/" + receipt,
            "#/log",
            "#/nodes",
            "#/disputes",
            "#/decentralization")) {
      open(page);
      wait.until(
          d ->
              !d.findElements(By.cssSelector("main h1")).isEmpty()
                  && d.findElements(By.cssSelector("main .status.pending")).isEmpty());
      Object problems = ((JavascriptExecutor) driver).executeScript(audit);
      assertThat((List<?>) problems).as(page).isEmpty();
    }
  }

  @Test
  @Order(13)
  void noPageBrokeTheContentSecurityPolicyOrThrew() {
    List<String> bad = new ArrayList<>();
    for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
      String m = e.getMessage();
      // 404s come from searches and probes for endpoints this node lacks; the decentralization
      // endpoint answers 503 on a node that is not joined to a chain.
      boolean expected404 = m.contains("404 (Not Found)");
      boolean expected503 =
          (m.contains("/v1/network/decentralization")
                  || m.contains("/v1/network/nodes")
                  || m.contains("/v1/disputes")
                  || m.contains("/v1/slashes"))
              && m.contains("503 (Service Unavailable)");
      if (m.contains("Content Security Policy")
          || m.contains("Uncaught")
          || (e.getLevel() == Level.SEVERE && !expected404 && !expected503)) {
        bad.add(e.getLevel() + " " + m);
      }
    }
    assertThat(bad).isEmpty();
  }
}
