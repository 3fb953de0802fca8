package dev.verity.llm.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verity.engine.ModelLoadException;
import dev.verity.llm.LlamaModel;
import dev.verity.llm.SharedModels;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Corrupts the header, metadata and tensor infos of a real model's GGUF and loads it. */
class GgufModelFuzzTest {
  private static byte[] valid;

  private static synchronized byte[] valid() throws Exception {
    if (valid == null) {
      LlamaModel bin = SharedModels.stories();
      valid =
          GgufWriter.fromModel(
              bin.config(), bin.transformer().weights(), bin.tokenizer(), GgmlType.Q8_0, false);
    }
    return valid;
  }

  @Property(tries = 150)
  void load_corruptedHeaderRegion_failsOnlyWithModelLoadException(
      @ForAll("edits") List<int[]> edits) throws Exception {
    byte[] f = valid().clone();
    // Metadata and tensor infos live in the first ~12 KB (512 tokens, 48 tensor infos).
    for (int[] e : edits) {
      f[e[0] % 12288] = (byte) e[1];
    }
    try (GgufFile g = GgufFile.parse(f)) {
      GgufLlama.Loaded m = GgufLlama.load(g, 1L << 30);
      assertThat(m.config().dim()).isPositive();
    } catch (ModelLoadException expected) {
      assertThat(expected.getMessage()).isNotBlank();
    }
  }

  @Provide
  Arbitrary<List<int[]>> edits() {
    Arbitrary<int[]> edit =
        Arbitraries.integers()
            .between(0, 12287)
            .flatMap(
                pos -> Arbitraries.of(0, 1, 2, 8, 31, 127, 128, 255).map(v -> new int[] {pos, v}));
    return edit.list().ofMinSize(1).ofMaxSize(4);
  }
}
