package dev.verity.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verity.cli.demo.SharedDir;
import dev.verity.client.ChatCompletion;
import dev.verity.client.ChatRequest;
import dev.verity.client.VerityApiException;
import dev.verity.client.VerityClient;
import dev.verity.core.Bytes;
import dev.verity.core.key.SigningKey;
import dev.verity.hub.manifest.ManifestFile;
import dev.verity.hub.manifest.SignedManifest;
import dev.verity.hub.publish.ModelPublisher;
import dev.verity.hub.publish.PublishOptions;
import dev.verity.log.verify.BundleVerifier;
import dev.verity.log.verify.VerifyOptions;
import dev.verity.node.VerityNode;
import dev.verity.node.config.NodeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code verity chat} and the SDK's chat method against a real node serving TinyStories. */
class ChatCliTest {
  static final String PROMPT = "Once upon a time";

  @TempDir static Path tmp;
  static VerityNode node;
  static String reference;

  @BeforeAll
  static void start() throws Exception {
    node = VerityNode.start(NodeConfig.ephemeral(tmp.resolve("node")));
    Path shared = SharedDir.locate();
    Path dir = shared.resolve("models/tinyllamas");
    SignedManifest m =
        ModelPublisher.createManifest(
            dir,
            "tinystories-260k",
            "1",
            PublishOptions.none(),
            SigningKey.fromSeed(Bytes.copyOf(new byte[32])));
    try (VerityClient c = VerityClient.connect(node.url())) {
      for (ManifestFile f : m.manifest().files()) {
        c.uploadBlob(f.digest(), dir.resolve(f.path()), (d, t) -> {});
      }
      c.publish(m);
    }
    String readme = Files.readString(shared.resolve("README.md"));
    String marker = "prompt\n\"Once upon a time\":\n\n```\n";
    int start = readme.indexOf(marker) + marker.length();
    reference = readme.substring(start, readme.indexOf("\n```", start));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void chat_greedy_printsReferenceContinuation_andReceiptOnStderr() {
    Cli.Result r =
        Cli.run(
            "chat",
            "--model",
            "tinystories-260k",
            PROMPT,
            "--temperature",
            "0",
            "--max-tokens",
            "124",
            "--node",
            node.url().toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo(reference.substring(PROMPT.length()) + "\n");
    assertThat(r.err())
        .containsPattern("receipt sha256:[0-9a-f]{64}  log index \\d+ ")
        .contains("tinystories-260k@1, 5 prompt + 124 generated tokens")
        .contains("finish length");
  }

  @Test
  void chat_printedSeed_reproducesTheSampledAnswer() {
    String url = node.url().toString();
    Cli.Result first =
        Cli.run("chat", "-m", "tinystories-260k", PROMPT, "--max-tokens", "30", "--node", url);
    assertThat(first.exit()).as(first.err()).isZero();
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("seed (-?\\d+),").matcher(first.err());
    assertThat(m.find()).as(first.err()).isTrue();
    Cli.Result again =
        Cli.run(
            "chat",
            "-m",
            "tinystories-260k",
            PROMPT,
            "--max-tokens",
            "30",
            "--seed",
            m.group(1),
            "--node",
            url);
    assertThat(again.exit()).as(again.err()).isZero();
    assertThat(again.out()).isEqualTo(first.out());
  }

  @Test
  void chat_overContextLength_exitsNonZeroNamingTheLimit() {
    Cli.Result r =
        Cli.run(
            "chat",
            "--model",
            "tinystories-260k",
            PROMPT,
            "--max-tokens",
            "600",
            "--node",
            node.url().toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).startsWith("error: ").contains("context length").contains("512");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void chat_badTemperature_isUsageError() {
    Cli.Result r =
        Cli.run("chat", "--model", "m", "p", "--temperature", "5", "--node", node.url().toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("temperature");
  }

  @Test
  void sdk_chat_streamsPieces_seedAndReceiptCheckOut() throws Exception {
    List<String> pieces = new ArrayList<>();
    try (VerityClient c = VerityClient.connect(node.url())) {
      ChatCompletion a =
          c.chat(
              ChatRequest.of("tinystories-260k@1", PROMPT)
                  .withTemperature(0.8f)
                  .withTopP(0.9f)
                  .withSeed(7)
                  .withMaxTokens(30),
              pieces::add);
      ChatCompletion b =
          c.chat(
              ChatRequest.of("tinystories-260k@1", PROMPT)
                  .withTemperature(0.8f)
                  .withTopP(0.9f)
                  .withSeed(7)
                  .withMaxTokens(30));
      assertThat(String.join("", pieces)).isEqualTo(a.text());
      assertThat(pieces.size()).isGreaterThan(1);
      assertThat(b.text()).isEqualTo(a.text());
      assertThat(a.seed()).isEqualTo(7);
      assertThat(a.receipt().receipt().receipt().seed()).isEqualTo(7);
      assertThat(b.logIndex()).isGreaterThan(a.logIndex());
      BundleVerifier.verify(
          a.receipt(), VerifyOptions.trusting(node.services().receipts().logKey()));
      VerityApiException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              VerityApiException.class, () -> c.chat(ChatRequest.of("missing-model", PROMPT)));
      assertThat(e.status()).isEqualTo(404);
      assertThat(e.detail()).contains("missing-model");
    }
  }
}
