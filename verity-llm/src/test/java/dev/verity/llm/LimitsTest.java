package dev.verity.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class LimitsTest {
  @Test
  void promptPlusMaxTokensOverContext_throwsNamingContextLength() throws Exception {
    LlamaModel m = SharedModels.stories();
    assertThat(m.contextLength()).isEqualTo(512);
    assertThatThrownBy(() -> m.generate(GenerationRequest.greedy("Once upon a time", 508)))
        .isInstanceOfSatisfying(
            GenerationLimitException.class,
            e -> {
              assertThat(e.limit()).isEqualTo("context_length");
              assertThat(e.allowed()).isEqualTo(512);
              assertThat(e.requested()).isEqualTo(513);
            })
        .hasMessageContaining("context length of 512");
    // Exactly at the limit is fine.
    assertThat(m.generate(GenerationRequest.greedy("Once upon a time", 507)).usage().totalTokens())
        .isLessThanOrEqualTo(512);
  }

  @Test
  void promptAloneFillingContext_throwsNamingContextLength() throws Exception {
    LlamaModel m = SharedModels.stories();
    GenerationRequest r =
        new GenerationRequest(
            Prompt.tokens(Collections.nCopies(512, 300)), 1, 0f, 1f, 0, TraceMode.HASHES);
    assertThatThrownBy(() -> m.generate(r))
        .isInstanceOfSatisfying(
            GenerationLimitException.class, e -> assertThat(e.limit()).isEqualTo("context_length"))
        .hasMessageContaining("the prompt has 512 tokens");
  }

  @Test
  void maxTokensOverConfiguredLimit_throwsNamingMaxTokens() throws Exception {
    try (LlamaModel m =
        LlamaModel.load(
            SharedModels.checkpoint(),
            SharedModels.tokenizer(),
            LlmOptions.DEFAULT.withLimits(new LlmLimits(100, 10)))) {
      assertThat(m.contextLength()).isEqualTo(100);
      assertThatThrownBy(() -> m.generate(GenerationRequest.greedy("Hi", 11)))
          .isInstanceOfSatisfying(
              GenerationLimitException.class,
              e -> {
                assertThat(e.limit()).isEqualTo("max_tokens");
                assertThat(e.allowed()).isEqualTo(10);
              })
          .hasMessageContaining("over the limit of 10");
      assertThat(m.generate(GenerationRequest.greedy("Hi", 10)).usage().completionTokens())
          .isLessThanOrEqualTo(10);
    }
  }

  @Test
  void badRequests_throwNamingTheField() throws Exception {
    assertThatThrownBy(() -> GenerationRequest.greedy("x", 0)).hasMessageContaining("max_tokens");
    assertThatThrownBy(
            () -> new GenerationRequest(Prompt.text("x"), 5, -0.5f, 1f, 0, TraceMode.HASHES))
        .hasMessageContaining("temperature");
    assertThatThrownBy(
            () -> new GenerationRequest(Prompt.text("x"), 5, 1f, 2f, 0, TraceMode.HASHES))
        .hasMessageContaining("top_p");
    assertThatThrownBy(() -> Prompt.tokens(List.of())).hasMessageContaining("at least one");
    LlamaModel m = SharedModels.stories();
    GenerationRequest outside =
        new GenerationRequest(Prompt.tokens(List.of(1, 9999)), 5, 0f, 1f, 0, TraceMode.HASHES);
    assertThatThrownBy(() -> m.generate(outside)).hasMessageContaining("outside the vocabulary");
  }

  @Test
  void concurrentGenerations_onOneModel_giveIdenticalResults() throws Exception {
    LlamaModel m = SharedModels.stories();
    GenerationRequest req =
        new GenerationRequest(
            Prompt.text("Once upon a time"), 80, 0.9f, 0.9f, 7L, TraceMode.HASHES);
    Generation expected = m.generate(req);
    try (var pool = java.util.concurrent.Executors.newFixedThreadPool(4)) {
      List<java.util.concurrent.Future<Generation>> futures = new java.util.ArrayList<>();
      for (int i = 0; i < 8; i++) {
        futures.add(pool.submit(() -> m.generate(req)));
      }
      for (var f : futures) {
        Generation g = f.get();
        assertThat(g.completionTokens()).isEqualTo(expected.completionTokens());
        assertThat(g.traceRoot()).isEqualTo(expected.traceRoot());
      }
    }
  }

  @Test
  void listenerException_abortsGeneration() throws Exception {
    LlamaModel m = SharedModels.stories();
    assertThatThrownBy(
            () ->
                m.generate(
                    GenerationRequest.greedy("Once", 50),
                    (i, t, s) -> {
                      if (i == 3) {
                        throw new IllegalStateException("client went away");
                      }
                    }))
        .hasMessage("client went away");
  }
}
