package dev.verity.llm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenStreamTest {
  @Test
  void stream_yieldsEveryTokenThenTheResult() throws Exception {
    LlamaModel m = SharedModels.stories();
    GenerationRequest req = GenerationRequest.greedy("Once upon a time", 50);
    Generation expected = m.generate(req);
    List<Integer> tokens = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    Generation done = null;
    try (TokenStream s = m.stream(req)) {
      while (s.hasNext()) {
        switch (s.next()) {
          case TokenStream.Event.Token t -> {
            assertThat(t.index()).isEqualTo(tokens.size());
            tokens.add(t.token());
            text.append(t.text());
          }
          case TokenStream.Event.Done d -> done = d.generation();
          case TokenStream.Event.Failed f -> throw f.error();
        }
      }
    }
    assertThat(tokens).isEqualTo(expected.completionTokens());
    assertThat(text.toString()).isEqualTo(expected.text());
    assertThat(done).isNotNull();
    assertThat(done.traceRoot()).isEqualTo(expected.traceRoot());
  }

  @Test
  void stream_overLimit_endsWithFailedNamingTheLimit() {
    LlamaModel m = SharedModels.storiesUnchecked();
    try (TokenStream s = m.stream(GenerationRequest.greedy("Once upon a time", 600))) {
      TokenStream.Event e = s.next();
      assertThat(e).isInstanceOf(TokenStream.Event.Failed.class);
      assertThat(((TokenStream.Event.Failed) e).error())
          .isInstanceOfSatisfying(
              GenerationLimitException.class,
              g -> assertThat(g.limit()).isEqualTo("context_length"));
      assertThat(s.hasNext()).isFalse();
    }
  }

  @Test
  void stream_closedEarly_stopsWithoutError() throws Exception {
    LlamaModel m = SharedModels.stories();
    try (TokenStream s = m.stream(GenerationRequest.greedy("Once upon a time", 400))) {
      assertThat(s.next()).isInstanceOf(TokenStream.Event.Token.class);
      s.close();
      assertThat(s.hasNext()).isFalse();
    }
    // The model is still usable.
    assertThat(m.generate(GenerationRequest.greedy("Once", 5)).completionTokens()).hasSize(5);
  }
}
