package dev.verity.hub.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.core.SignatureVerificationException;
import dev.verity.hub.TestModels;
import dev.verity.hub.manifest.ModelFormat;
import dev.verity.hub.manifest.ModelVerificationException;
import dev.verity.hub.manifest.SignedManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Publishes the real shared models and verifies copies of them offline. */
class PublishAndVerifyTest {
  @TempDir Path dir;
  private Path llama;

  @BeforeEach
  void copyModel() throws IOException {
    llama = Files.createDirectories(dir.resolve("tinyllamas"));
    Path src = TestModels.shared().resolve("models/tinyllamas");
    for (String f : new String[] {"stories260K.bin", "tok512.bin"}) {
      Files.copy(src.resolve(f), llama.resolve(f), StandardCopyOption.COPY_ATTRIBUTES);
    }
  }

  @Test
  void createManifest_realModels_detectsFormat_signs_andVerifiesOffline() throws Exception {
    SignedManifest sm =
        ModelPublisher.createManifest(
            llama,
            "tinystories",
            "260k",
            PublishOptions.none().withLicense("MIT").withSource("https://github.com/karpathy"),
            TestModels.GOLDEN_KEY);
    assertThat(sm.manifest().format()).isEqualTo(ModelFormat.LLAMA2C);
    assertThat(sm.manifest().files()).hasSize(2);
    assertThat(sm.manifest().totalSize()).isEqualTo(1056540 + 6227);
    SignedManifest parsed = SignedManifest.parse(sm.toJson());
    assertThat(parsed).isEqualTo(sm);
    ModelVerifier.verifyDirectory(llama, parsed, TestModels.GOLDEN_KEY.verifyingKey());

    Path mnist = TestModels.shared().resolve("models/mnist/mnist-7.onnx");
    SignedManifest onnx =
        ModelPublisher.createManifest(
            mnist, "mnist", "7", PublishOptions.none(), TestModels.GOLDEN_KEY);
    assertThat(onnx.manifest().format()).isEqualTo(ModelFormat.ONNX);
    assertThat(onnx.manifest().files().get(0).path()).isEqualTo("mnist-7.onnx");
    ModelVerifier.verifyDirectory(mnist, onnx);
  }

  @Test
  void createManifest_sameInputsAndTime_sameDigest() throws Exception {
    PublishOptions o = PublishOptions.none().withCreatedAt(Instant.parse("2026-02-03T04:05:06Z"));
    SignedManifest a = ModelPublisher.createManifest(llama, "t", "1", o, TestModels.GOLDEN_KEY);
    SignedManifest b = ModelPublisher.createManifest(llama, "t", "1", o, TestModels.GOLDEN_KEY);
    assertThat(a.digest()).isEqualTo(b.digest());
    assertThat(a.toJson()).isEqualTo(b.toJson());
  }

  @Test
  void verifyDirectory_tamperedByte_namesFileExpectedAndActual() throws Exception {
    SignedManifest sm = publish();
    Path f = llama.resolve("stories260K.bin");
    byte[] b = Files.readAllBytes(f);
    b[1000] ^= 1;
    Files.write(f, b);
    assertThatThrownBy(() -> ModelVerifier.verifyDirectory(llama, sm))
        .isInstanceOf(ModelVerificationException.class)
        .hasMessageContaining("'stories260K.bin'")
        .hasMessageContaining("expected " + sm.manifest().file("stories260K.bin").get().digest())
        .hasMessageContaining("actual sha256:");
  }

  @Test
  void verifyDirectory_extraFile_reported() throws Exception {
    SignedManifest sm = publish();
    Files.writeString(llama.resolve("notes.txt"), "added later");
    assertThatThrownBy(() -> ModelVerifier.verifyDirectory(llama, sm))
        .isInstanceOf(ModelVerificationException.class)
        .hasMessageContaining("unexpected file 'notes.txt'");
  }

  @Test
  void verifyDirectory_missingFile_reported() throws Exception {
    SignedManifest sm = publish();
    Files.delete(llama.resolve("tok512.bin"));
    assertThatThrownBy(() -> ModelVerifier.verifyDirectory(llama, sm))
        .isInstanceOf(ModelVerificationException.class)
        .hasMessageContaining("missing file 'tok512.bin'");
  }

  @Test
  void verifyDirectory_truncatedFile_sizeReported() throws Exception {
    SignedManifest sm = publish();
    Files.write(llama.resolve("tok512.bin"), new byte[10]);
    assertThatThrownBy(() -> ModelVerifier.verifyDirectory(llama, sm))
        .isInstanceOf(ModelVerificationException.class)
        .hasMessageContaining("'tok512.bin' has 10 bytes, manifest says 6227");
  }

  @Test
  void verifyDirectory_unexpectedPublisher_rejectedBeforeHashing() throws Exception {
    SignedManifest sm = publish();
    assertThatThrownBy(
            () -> ModelVerifier.verifyDirectory(llama, sm, TestModels.OTHER_KEY.verifyingKey()))
        .isInstanceOf(SignatureVerificationException.class)
        .hasMessageContaining("expected " + TestModels.OTHER_KEY.verifyingKey().toText());
  }

  @Test
  void createManifest_badNameOrVersion_rejected() {
    assertThatThrownBy(
            () ->
                ModelPublisher.createManifest(
                    llama, "Bad Name", "1", PublishOptions.none(), TestModels.GOLDEN_KEY))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bad model name 'Bad Name'");
    assertThatThrownBy(
            () ->
                ModelPublisher.createManifest(
                    llama, "ok", "../1", PublishOptions.none(), TestModels.GOLDEN_KEY))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bad model version");
  }

  private SignedManifest publish() throws IOException {
    return ModelPublisher.createManifest(
        llama, "tinystories", "1", PublishOptions.none(), TestModels.GOLDEN_KEY);
  }
}
