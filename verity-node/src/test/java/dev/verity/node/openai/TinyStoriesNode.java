package dev.verity.node.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.core.key.SigningKey;
import dev.verity.hub.manifest.ManifestFile;
import dev.verity.hub.manifest.SignedManifest;
import dev.verity.hub.publish.ModelPublisher;
import dev.verity.hub.publish.PublishOptions;
import dev.verity.log.bundle.BundleJson;
import dev.verity.log.bundle.ReceiptBundle;
import dev.verity.log.verify.BundleVerifier;
import dev.verity.log.verify.VerifyOptions;
import dev.verity.node.NodeFeature;
import dev.verity.node.VerityNode;
import dev.verity.node.config.NodeConfig;
import dev.verity.node.http.Json;
import dev.verity.receipt.Receipt;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A node on loopback with the shared TinyStories 260K model published as tinystories-260k@1. */
final class TinyStoriesNode implements AutoCloseable {
  static final String MODEL = "tinystories-260k";
  static final String PROMPT = "Once upon a time";
  static final SigningKey PUBLISHER = SigningKey.fromSeed(Bytes.copyOf(new byte[32]));

  final VerityNode node;
  final SignedManifest manifest;

  private TinyStoriesNode(VerityNode node, SignedManifest manifest) {
    this.node = node;
    this.manifest = manifest;
  }

  static TinyStoriesNode start(Path dataDir, NodeFeature... features) throws Exception {
    VerityNode node = VerityNode.start(NodeConfig.ephemeral(dataDir), List.of(features));
    try {
      return new TinyStoriesNode(node, publish(node, tinyllamas(), MODEL, "1"));
    } catch (Exception | Error e) {
      node.close();
      throw e;
    }
  }

  static SignedManifest publish(VerityNode node, Path dir, String name, String version)
      throws Exception {
    SignedManifest m =
        ModelPublisher.createManifest(
            dir, name, version, PublishOptions.none().withLicense("MIT"), PUBLISHER);
    for (ManifestFile f : m.manifest().files()) {
      try (InputStream in = Files.newInputStream(dir.resolve(f.path()))) {
        node.services().blobs().put(in, f.digest(), f.size());
      }
    }
    node.services().models().publish(m);
    return m;
  }

  static Path shared() {
    String p = System.getProperty("verity.shared");
    Path base = p != null ? Path.of(p) : Path.of("..", "..", "shared");
    if (!Files.isDirectory(base.resolve("models"))) {
      base = Path.of("..", "shared");
    }
    return base;
  }

  static Path tinyllamas() {
    return shared().resolve("models").resolve("tinyllamas");
  }

  /** llama2.c's reference text for stories260K, temperature 0, 128 steps (the shared README). */
  static String referenceText() throws Exception {
    String readme = Files.readString(shared().resolve("README.md"));
    String marker = "prompt\n\"Once upon a time\":\n\n```\n";
    int start = readme.indexOf(marker);
    if (start < 0) {
      throw new IllegalStateException("reference output not found in the shared README");
    }
    start += marker.length();
    return readme.substring(start, readme.indexOf("\n```", start));
  }

  /** The reference continuation after the prompt. */
  static String referenceContinuation() throws Exception {
    String ref = referenceText();
    return ref.substring(PROMPT.length());
  }

  /** llama2.c's 128 steps as max_tokens: the prompt "Once upon a time" is 5 tokens with BOS. */
  static final int REFERENCE_MAX_TOKENS = 128 - (5 - 1);

  /**
   * Checks the {@code verity} member of an answer: the bundle verifies against the node's log key
   * (receipt signature, inclusion, checkpoint), and the receipt's digests match the token ids and
   * sampling parameters the answer reports. Returns the receipt.
   */
  Receipt verifyReceipt(JsonNode verity, float temperature, float topP, List<String> stop)
      throws Exception {
    ReceiptBundle bundle = BundleJson.parse(Json.MAPPER.writeValueAsString(verity.get("bundle")));
    bundle.receipt().verify();
    BundleVerifier.verify(bundle, VerifyOptions.trusting(node.services().receipts().logKey()));
    Receipt r = bundle.receipt().receipt();
    List<Integer> prompt = ints(verity.get("promptTokens"));
    List<Integer> completion = ints(verity.get("completionTokens"));
    long seed = verity.get("seed").asLong();
    if (r.seed() != seed) {
      throw new AssertionError("receipt seed " + r.seed() + " != reported seed " + seed);
    }
    Digest in =
        LlmDigests.input(prompt, verity.get("maxTokens").asInt(), temperature, topP, seed, stop);
    if (!r.inputDigest().equals(in)) {
      throw new AssertionError("input digest " + r.inputDigest() + " != recomputed " + in);
    }
    Digest out = LlmDigests.output(completion);
    if (!r.outputDigest().equals(out)) {
      throw new AssertionError("output digest " + r.outputDigest() + " != recomputed " + out);
    }
    if (!r.modelDigest().equals(manifest.digest())) {
      throw new AssertionError("receipt names model " + r.modelDigest());
    }
    if (r.traceRoot().equals(Receipt.NO_TRACE)) {
      throw new AssertionError("receipt has no trace root");
    }
    // One leaf per (position, layer): stories260K has 5 layers; P + G - 1 positions at least.
    if (r.traceLeaves() % 5 != 0
        || r.traceLeaves() < (long) (prompt.size() + completion.size() - 1) * 5) {
      throw new AssertionError("trace covers " + r.traceLeaves() + " leaves");
    }
    if (bundle.logIndex() != verity.get("logIndex").asLong()) {
      throw new AssertionError("log index differs from the bundle's");
    }
    if (!bundle.receipt().id().toString().equals(verity.get("receiptId").asText())) {
      throw new AssertionError("receipt id differs");
    }
    return r;
  }

  static List<Integer> ints(JsonNode array) {
    List<Integer> out = new ArrayList<>();
    array.forEach(n -> out.add(n.intValue()));
    return out;
  }

  @Override
  public void close() {
    node.close();
  }
}
