package dev.verity.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.core.key.SigningKey;
import dev.verity.engine.EngineInfo;
import dev.verity.engine.NumericMode;
import dev.verity.engine.Tensor;
import dev.verity.engine.TensorEncoding;
import dev.verity.hub.manifest.ManifestFile;
import dev.verity.hub.manifest.ModelFormat;
import dev.verity.hub.manifest.ModelManifest;
import dev.verity.hub.manifest.SignedManifest;
import dev.verity.log.TransparencyLog;
import dev.verity.log.bundle.ReceiptBundle;
import dev.verity.log.bundle.ReceiptLog;
import dev.verity.log.note.NoteSigner;
import dev.verity.log.note.VerifierKey;
import dev.verity.receipt.Receipt;
import dev.verity.receipt.ReceiptDomain;
import dev.verity.receipt.ReceiptKey;
import dev.verity.receipt.SignedReceipt;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The bundle parser against every single-character corruption of a real bundle (its receipt
 * batch-signed): it either parses or throws {@link IllegalArgumentException} naming the problem,
 * never anything else; and an accepted corruption never verifies.
 */
class InferenceBundleFuzzTest {
  static Path dir;
  static String text;
  static VerifierKey logKey;

  @BeforeContainer
  static void makeBundle() throws Exception {
    dir = Files.createTempDirectory("bundle-fuzz");
    NoteSigner signer =
        NoteSigner.generate("verity.node/test", VerifierKey.ED25519, new SecureRandom());
    logKey = signer.verifierKey();
    ReceiptKey key = ReceiptKey.generate(new SecureRandom());
    SigningKey pub = SigningKey.fromSeed(Bytes.copyOf(new byte[32]));
    byte[] model = "model bytes".getBytes();
    SignedManifest m =
        SignedManifest.sign(
            new ModelManifest(
                "m",
                "1",
                ModelFormat.ONNX,
                List.of(new ManifestFile("m.onnx", model.length, Digest.of(model))),
                null,
                "MIT",
                "",
                "",
                Instant.parse("2026-01-01T00:00:00Z"),
                pub.verifyingKey()),
            pub);
    Map<String, Tensor> in = Map.of("x", Tensor.ofFloats(new long[] {2}, new float[] {1, 2}));
    Map<String, Tensor> out = Map.of("y", Tensor.ofFloats(new long[] {1}, new float[] {3}));
    try (ReceiptLog log =
        ReceiptLog.open(dir.resolve("log"), TransparencyLog.Options.defaults(signer))) {
      List<Receipt> batch = new java.util.ArrayList<>();
      for (int i = 0; i < 3; i++) {
        batch.add(
            Receipt.builder()
                .model(m.digest())
                .engine(EngineInfo.of("strict", "0.1.0", Map.of(), NumericMode.BITWISE))
                .input(TensorEncoding.digest(in))
                .output(TensorEncoding.digest(out))
                .node(key.address())
                .requestId("r" + i)
                .timeMillis(1_700_000_000_000L)
                .build());
      }
      // Batch-signed (format 2), as a node signs concurrent requests: the fuzzing reaches the
      // batch index, size and path too.
      ReceiptBundle rb = null;
      for (SignedReceipt sr : SignedReceipt.signBatch(batch, ReceiptDomain.DEVNET, key)) {
        rb = log.append(sr);
      }
      text = new InferenceBundle(rb, logKey.encode(), m, in, out).toJson();
    }
    ReceiptVerifier.verify(InferenceBundle.parse(text), VerificationOptions.trusting(logKey));
  }

  @AfterContainer
  static void cleanUp() throws Exception {
    try (var s = Files.walk(dir)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Property(tries = 1500)
  void corruptedBundle_parsesOrFailsCleanly_andNeverVerifiesAsAnotherReceipt(
      @ForAll @IntRange(min = 0, max = 1_000_000) int where, @ForAll char c) {
    int at = where % text.length();
    if (text.charAt(at) == c) {
      return;
    }
    String bad = text.substring(0, at) + c + text.substring(at + 1);
    InferenceBundle b;
    try {
      b = InferenceBundle.parse(bad);
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage()).isNotBlank();
      return;
    }
    if (b.equals(InferenceBundle.parse(text)) || b.toJson().equals(text)) {
      return; // whitespace or an equivalent encoding: the same bundle
    }
    try {
      ReceiptVerifier.verify(b, VerificationOptions.trusting(logKey));
    } catch (VerificationException e) {
      return;
    }
    // What still verifies must be the same receipt, log position and checkpoint.
    InferenceBundle good = InferenceBundle.parse(text);
    assertThat(b.receipt().receipt()).isEqualTo(good.receipt().receipt());
    assertThat(b.receipt().inclusion()).isEqualTo(good.receipt().inclusion());
  }

  @Property(tries = 50)
  void truncatedBundle_isRefusedWithAMessage(@ForAll @IntRange(min = 0, max = 100_000) int cut) {
    // Every proper prefix of the JSON document; the trailing newline after it is not part of it.
    String document = text.stripTrailing();
    String bad = document.substring(0, cut % document.length());
    assertThatThrownBy(() -> InferenceBundle.parse(bad))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bundle");
  }

  /**
   * Cutting only the trailing newline leaves the whole document, which parses to the same bundle
   * (the shrunk sample, cut = length - 1); one character more is refused.
   */
  @Example
  void truncation_atTheDocumentEnd() {
    String document = text.stripTrailing();
    assertThat(document).isNotEqualTo(text);
    assertThat(InferenceBundle.parse(document)).isEqualTo(InferenceBundle.parse(text));
    truncatedBundle_isRefusedWithAMessage(text.length() - 1);
    truncatedBundle_isRefusedWithAMessage(document.length() - 1);
  }
}
