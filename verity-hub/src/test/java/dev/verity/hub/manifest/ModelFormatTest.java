package dev.verity.hub.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.core.FormatException;
import dev.verity.hub.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFormatTest {
  @TempDir Path dir;

  @Test
  void detect_realModels() throws Exception {
    Path models = TestModels.shared().resolve("models");
    assertThat(ModelFormat.detect(List.of(models.resolve("mnist/mnist-7.onnx"))))
        .isEqualTo(ModelFormat.ONNX);
    assertThat(
            ModelFormat.detect(
                List.of(
                    models.resolve("tinyllamas/stories260K.bin"),
                    models.resolve("tinyllamas/tok512.bin"))))
        .isEqualTo(ModelFormat.LLAMA2C);
  }

  @Test
  void detect_ggufMagic_evenWithoutExtension() throws Exception {
    Path f = Files.write(dir.resolve("weights"), new byte[] {'G', 'G', 'U', 'F', 3, 0, 0, 0});
    assertThat(ModelFormat.detect(List.of(f))).isEqualTo(ModelFormat.GGUF);
  }

  @Test
  void detect_arbitraryFiles_other() throws Exception {
    Path a = Files.writeString(dir.resolve("a.bin"), "random text, not a llama2.c header");
    Path b = Files.writeString(dir.resolve("b.txt"), "x");
    assertThat(ModelFormat.detect(List.of(a, b))).isEqualTo(ModelFormat.OTHER);
  }

  @Test
  void parse_unknownFormat_listsAllowed() {
    assertThatThrownBy(() -> ModelFormat.parse("safetensors"))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("unknown model format 'safetensors'")
        .hasMessageContaining("onnx, llama2c, gguf, other");
  }
}
