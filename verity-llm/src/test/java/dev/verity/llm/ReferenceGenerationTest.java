package dev.verity.llm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReferenceGenerationTest {
  /** llama2.c counts steps as forwarded positions, the prompt's included. */
  private static final int LLAMA2C_STEPS = 128;

  @Test
  void greedy_onceUponATime_128steps_matchesLlama2cReferenceText() throws Exception {
    LlamaModel model = SharedModels.stories();
    String prompt = "Once upon a time";
    int promptTokens = model.tokenizer().encode(prompt).length;
    // Positions 0..steps-1 are forwarded; the first steps-(promptTokens-1) logits are sampled.
    int maxTokens = LLAMA2C_STEPS - (promptTokens - 1);
    List<String> streamed = new ArrayList<>();
    Generation g =
        model.generate(
            GenerationRequest.greedy(prompt, maxTokens), (i, token, text) -> streamed.add(text));

    String expected = SharedModels.referenceText();
    assertThat(prompt + g.text()).isEqualTo(expected);
    assertThat(String.join("", streamed)).isEqualTo(g.text());
    assertThat(g.finishReason()).isEqualTo(FinishReason.LENGTH);
    assertThat(g.usage().completionTokens()).isEqualTo(maxTokens);
    assertThat(g.usage().promptTokens()).isEqualTo(promptTokens);
    int[] all =
        java.util.stream.Stream.concat(g.promptTokens().stream(), g.completionTokens().stream())
            .mapToInt(Integer::intValue)
            .toArray();
    assertThat(model.tokenizer().decodeAll(all)).isEqualTo(expected);
    assertThat(g.trace().positions()).isEqualTo(LLAMA2C_STEPS);
  }
}
