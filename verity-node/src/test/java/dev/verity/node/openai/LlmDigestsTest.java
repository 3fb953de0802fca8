package dev.verity.node.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verity.core.Digest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Golden vectors for the LLM receipt digests (docs/OPENAI.md), computed independently. */
class LlmDigestsTest {
  @Test
  void output_goldenVectors() {
    assertThat(LlmDigests.output(List.of()))
        .isEqualTo(
            Digest.parse(
                "sha256:827780b6368a7b8174ce7faf37eb6d001e14979dd8bee9a40ba1772300d20799"));
    assertThat(LlmDigests.output(List.of(1, 2, 3)))
        .isEqualTo(
            Digest.parse(
                "sha256:d3d509077e39c1ac5f871bd1196fb6eae8d68e49f73fd5a73ae1ae0313f893cb"));
  }

  @Test
  void input_goldenBytesAndDigest_greedy() {
    assertThat(LlmDigests.inputBytes(List.of(1, 403, 407), 124, 0f, 1f, 42, List.of()).toHex())
        .isEqualTo(
            "7665726974792d6c6c6d2d696e7075742f763100000000030000000100000193000001970000007c"
                + "000000003f800000000000000000002a00000000");
    assertThat(LlmDigests.input(List.of(1, 403, 407), 124, 0f, 1f, 42, List.of()))
        .isEqualTo(
            Digest.parse(
                "sha256:fbb85636348ae3e39ab84759b96d0e686593f2ad9877df33b36a8cd393c3a940"));
  }

  @Test
  void input_goldenDigest_sampledWithStopsAndNegativeSeed() {
    assertThat(
            LlmDigests.input(List.of(1, 403, 407), 124, 0.8f, 0.9f, -1L, List.of("park", "\u00e9")))
        .isEqualTo(
            Digest.parse(
                "sha256:82d18b0431febbcbc3739de349b6b468691abeec01d1fb5b8cf2be8ff95cd907"));
  }

  @Test
  void input_anyChangedField_changesDigest() {
    Digest base = LlmDigests.input(List.of(1, 403, 407), 124, 0f, 1f, 42, List.of());
    assertThat(LlmDigests.input(List.of(1, 403, 408), 124, 0f, 1f, 42, List.of()))
        .isNotEqualTo(base);
    assertThat(LlmDigests.input(List.of(1, 403, 407), 123, 0f, 1f, 42, List.of()))
        .isNotEqualTo(base);
    assertThat(LlmDigests.input(List.of(1, 403, 407), 124, -0f, 1f, 42, List.of()))
        .isNotEqualTo(base);
    assertThat(LlmDigests.input(List.of(1, 403, 407), 124, 0f, 0.99f, 42, List.of()))
        .isNotEqualTo(base);
    assertThat(LlmDigests.input(List.of(1, 403, 407), 124, 0f, 1f, 43, List.of()))
        .isNotEqualTo(base);
    assertThat(LlmDigests.input(List.of(1, 403, 407), 124, 0f, 1f, 42, List.of("x")))
        .isNotEqualTo(base);
    // Token boundaries are length-prefixed: ["ab"] and ["a","b"] differ.
    assertThat(LlmDigests.input(List.of(1), 1, 0f, 1f, 0, List.of("ab")))
        .isNotEqualTo(LlmDigests.input(List.of(1), 1, 0f, 1f, 0, List.of("a", "b")));
    assertThat(LlmDigests.output(List.of(1, 2, 3))).isNotEqualTo(LlmDigests.output(List.of(1, 2)));
  }
}
