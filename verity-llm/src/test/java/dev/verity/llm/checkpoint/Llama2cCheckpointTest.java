package dev.verity.llm.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.engine.ModelLoadException;
import dev.verity.llm.LlamaModel;
import dev.verity.llm.SharedModels;
import dev.verity.llm.transformer.LlamaConfig;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Llama2cCheckpointTest {
  @TempDir Path tmp;

  @Test
  void load_stories260K_readsHeaderAndWeights() throws Exception {
    Llama2cCheckpoint.Loaded m = Llama2cCheckpoint.load(SharedModels.checkpoint(), 1L << 30);
    LlamaConfig c = m.config();
    assertThat(c).isEqualTo(new LlamaConfig(64, 172, 5, 8, 4, 512, 512, 10000f, 1e-5f, true));
    assertThat(c.kvMul()).isEqualTo(2);
    // The first weight after the header is the first embedding value.
    byte[] file = Files.readAllBytes(SharedModels.checkpoint());
    float first = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getFloat(28);
    assertThat(m.weights().tokenEmbedding().get(0, 0)).isEqualTo(first);
    // Shared classifier: row 7 of the classifier is embedding row 7.
    assertThat(m.weights().classifier().get(7, 3))
        .isEqualTo(m.weights().tokenEmbedding().get(7, 3));
    // Shared: one matrix serves both, held once.
    assertThat(m.weights().classifier()).isSameAs(m.weights().tokenEmbedding());
  }

  @Test
  void load_truncatedFile_throwsNamingSizes() throws Exception {
    byte[] file = Files.readAllBytes(SharedModels.checkpoint());
    Path p = tmp.resolve("cut.bin");
    Files.write(p, Arrays.copyOf(file, file.length - 4));
    assertThatThrownBy(() -> Llama2cCheckpoint.load(p, 1L << 30))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("bytes but its header describes");
  }

  @Test
  void load_badHeader_throwsNamingField() throws Exception {
    byte[] file = Files.readAllBytes(SharedModels.checkpoint());
    ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putInt(16, 3); // n_kv_heads 3
    Path p = tmp.resolve("bad.bin");
    Files.write(p, file);
    assertThatThrownBy(() -> Llama2cCheckpoint.load(p, 1L << 30))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("n_heads 8 is not a multiple of n_kv_heads 3");
    Files.write(p, new byte[10]);
    assertThatThrownBy(() -> Llama2cCheckpoint.load(p, 1L << 30))
        .hasMessageContaining("shorter than its header");
  }

  @Test
  void load_overParameterLimit_throws() {
    assertThatThrownBy(() -> Llama2cCheckpoint.load(SharedModels.checkpoint(), 1000))
        .hasMessageContaining("over the limit of 1000");
  }

  @Test
  void load_tokenizerOfWrongSize_throws() throws Exception {
    Path tok = tmp.resolve("tok.bin");
    byte[] t = Files.readAllBytes(SharedModels.tokenizer());
    Files.write(tok, Arrays.copyOf(t, t.length + 8));
    assertThatThrownBy(() -> LlamaModel.load(SharedModels.checkpoint(), tok))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("tokenizer");
  }
}
